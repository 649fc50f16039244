"""Form pieces several areas share: the bare POST form, checkbox lists, labels and choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Purpose

# Keyed by services.networks.LINK_NETWORKS, in its order (a test checks both).
NETWORK_LABELS = {
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "linkedin": "LinkedIn",
    "whatsapp": "WhatsApp",
    "email": _l("E-mail"),
    "other": _l("Other apps"),
}
PURPOSE_LABELS = {
    Purpose.MEMBERSHIP: _l("Program membership (the charter)"),
    Purpose.SHARE_ATTRIBUTION: _l("Count my shares as mine"),
    Purpose.DIGEST: _l("Weekly digest e-mail"),
    Purpose.DIRECTORY: _l("Listing in the ambassador directory"),
    Purpose.NAMED_THANKS: _l("Being thanked by name"),
    Purpose.NOTIFY_EMAIL: _l("Notifications by e-mail"),
    Purpose.NOTIFY_IN_APP: _l("Notifications in Relais"),
}
LANGUAGE_LABELS = {"fr": "Français", "en": "English"}


def enum_choices(labels: dict):
    # A callable, so labels are translated when the form is built, not at import.
    return lambda: [SelectChoice(key.value, label) for key, label in labels.items()]


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label, render_kw={"lang": code}) for code, label in LANGUAGE_LABELS.items()]


class ActionForm(FlaskForm):
    """A bare POST button: only the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
