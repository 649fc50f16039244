"""Label tables of the web layer name exactly what they label, in its order.

The list of networks lives once, in services/networks.py; the labels are
keyed by it. A network added there without a label (or a label left for a
network removed) would show a raw name or a dead choice: these tests fail
instead.
"""

import pytest

from advocacy.forms.common import NETWORK_LABELS, PURPOSE_LABELS
from advocacy.forms.feedback import FEEDBACK_KIND_LABELS, FEEDBACK_STATUS_LABELS
from advocacy.forms.kit import SECTION_LABELS
from advocacy.forms.surveys import QUESTION_TYPE_LABELS
from advocacy.models import FeedbackKind, FeedbackStatus, KitSection, Purpose, QuestionType
from advocacy.services.networks import LINK_NETWORKS


def test_network_labels_cover_exactly_the_networks_in_their_order():
    # The order matters: the panel and the insights follow it; "other" (the share sheet) comes last.
    assert tuple(NETWORK_LABELS) == LINK_NETWORKS


@pytest.mark.parametrize(("labels", "members"), [
    (PURPOSE_LABELS, Purpose),
    (SECTION_LABELS, KitSection),
    (FEEDBACK_KIND_LABELS, FeedbackKind),
    (FEEDBACK_STATUS_LABELS, FeedbackStatus),
    (QUESTION_TYPE_LABELS, QuestionType),
], ids=["purpose", "kit section", "feedback kind", "feedback status", "question type"])
def test_enum_labels_cover_every_member(labels, members):
    assert set(labels) == set(members)
