"""Forms of the pulse surveys: a survey, from scratch or from the template, and its questions."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models import QuestionType
from ..program_clock import program_today
from .common import enum_choices, language_choices
from .validators import PlausibleYear

QUESTION_TYPE_LABELS = {
    QuestionType.SCALE: _l("Scale from 1 to 5"),
    QuestionType.SINGLE: _l("One choice"),
    QuestionType.MULTIPLE: _l("Several choices"),
    QuestionType.TEXT: _l("Free text"),
}


def _default_close():
    # Survey days are the program's days (its TIMEZONE), not UTC or the server's.
    return program_today() + timedelta(days=14)


class SurveyDatesMixin:
    opens_on = DateField(_l("Opens on"), default=program_today, validators=[InputRequired(), PlausibleYear()])
    closes_on = DateField(_l("Closes on (last day)"), default=_default_close,
                          validators=[InputRequired(), PlausibleYear()])

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The survey must close after it opens."))


class SurveyForm(SurveyDatesMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=5000)])


class TemplateSurveyForm(SurveyDatesMixin, FlaskForm):
    language = SelectField(_l("Language of the questions"), choices=language_choices)


class QuestionForm(FlaskForm):
    text = StringField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    kind = SelectField(_l("Type of answer"), choices=enum_choices(QUESTION_TYPE_LABELS))
    options = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=5000)])
    required = BooleanField(_l("An answer is required"))

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field):
        if self.kind.data in (QuestionType.SINGLE.value, QuestionType.MULTIPLE.value) and len(self.option_list()) < 2:
            raise ValidationError(_l("Give at least two choices, one per line."))
