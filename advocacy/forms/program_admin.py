"""Admin forms: charter and consent texts, departments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class TextsForm(FlaskForm):
    """A new version of one purpose's text, in both languages at once."""

    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=200)])
    body_fr = TextAreaField(_l("Text (French)"), validators=[DataRequired(), Length(max=20000)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    body_en = TextAreaField(_l("Text (English)"), validators=[DataRequired(), Length(max=20000)])
    mandate_months = IntegerField(_l("Mandate length (months)"),
                                  validators=[Optional(), NumberRange(min=1, max=60)])


class DepartmentForm(FlaskForm):
    name = StringField(_l("Department"), validators=[DataRequired(), Length(max=200)])
    headcount = IntegerField(_l("Staff"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
