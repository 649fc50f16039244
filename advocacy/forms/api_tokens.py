"""Forms of the API token pages: an admin's staff token, an ambassador's own token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField

from ..services.api_tokens import MAX_NAME, STAFF_SCOPES
from .common import MultiCheckboxField

SCOPE_LABELS = {
    "insights:read": _l("Insights: aggregate figures, under the same k rule as the insights page"),
    "contents:read": _l("Contents: the program's contents and their texts"),
    "feeds:read": _l("Feeds: the feeds and whether they work"),
}


class PersonalTokenForm(FlaskForm):
    # Length is the service's check (its message keeps what was typed beside the field).
    name = StringField(_l("Name"), render_kw={"maxlength": MAX_NAME, "autocomplete": "off"})


class StaffTokenForm(PersonalTokenForm):
    scopes = MultiCheckboxField(_l("What it may read"),
                                choices=lambda: [SelectChoice(scope, SCOPE_LABELS[scope]) for scope in STAFF_SCOPES])
