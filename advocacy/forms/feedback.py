"""Forms of the feedback loop: sending an item, and the team's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..models import FeedbackKind, FeedbackStatus
from .common import enum_choices

FEEDBACK_KIND_LABELS = {
    FeedbackKind.QUESTION: _l("A question"),
    FeedbackKind.IRRITANT: _l("An irritant from the field"),
    FeedbackKind.IDEA: _l("An idea"),
}
FEEDBACK_STATUS_LABELS = {
    FeedbackStatus.NEW: _l("New"),
    FeedbackStatus.ANSWERED: _l("Answered"),
    FeedbackStatus.RETAINED: _l("Retained"),
    FeedbackStatus.POSTPONED: _l("Postponed"),
    FeedbackStatus.DONE: _l("Done"),
    FeedbackStatus.DECLINED: _l("Declined"),
}


class FeedbackForm(FlaskForm):
    kind = RadioField(_l("What is it?"), choices=enum_choices(FEEDBACK_KIND_LABELS),
                      validators=[DataRequired(message=_l("Choose one."))])
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=5000)])
    anonymous = BooleanField(_l("Send anonymously (you will not be able to read the reply here)"))


class ReplyForm(FlaskForm):
    status = SelectField(_l("Status"), choices=enum_choices(FEEDBACK_STATUS_LABELS))
    reply = TextAreaField(_l("Answer or reason"), validators=[Length(max=5000)])
