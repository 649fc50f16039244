"""Forms of the ambassador kit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import KitSection
from .common import enum_choices, language_choices

SECTION_LABELS = {
    KitSection.MISSION: _l("Mission"),
    KitSection.FAQ: _l("Frequently asked questions"),
    KitSection.CONTACTS: _l("Key contacts"),
    KitSection.RESOURCES: _l("Resources"),
}


class KitPageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name in the address"), validators=[DataRequired(), Length(max=80)])
    language = SelectField(_l("Language"), choices=language_choices)
    section = SelectField(_l("Section"), choices=enum_choices(SECTION_LABELS))
    position = IntegerField(_l("Position in its section"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=9999)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=100_000)])
