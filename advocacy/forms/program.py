"""Forms for program life: kit, calendar, feedback, surveys, thanks."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, IntegerField, RadioField,
                     SelectChoice, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..models import FeedbackKind, FeedbackStatus, KitSection, QuestionType
from ..program_clock import program_today
from .accounts import language_choices
from .validators import PlausibleYear

SECTION_LABELS = {
    KitSection.MISSION: _l("Mission"),
    KitSection.FAQ: _l("Frequently asked questions"),
    KitSection.CONTACTS: _l("Key contacts"),
    KitSection.RESOURCES: _l("Resources"),
}
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
QUESTION_TYPE_LABELS = {
    QuestionType.SCALE: _l("Scale from 1 to 5"),
    QuestionType.SINGLE: _l("One choice"),
    QuestionType.MULTIPLE: _l("Several choices"),
    QuestionType.TEXT: _l("Free text"),
}


def _choices(labels: dict):
    # A callable, so labels are translated when the form is built, not at import.
    return lambda: [SelectChoice(key.value, label) for key, label in labels.items()]


class KitPageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name in the address"), validators=[DataRequired(), Length(max=80)])
    language = SelectField(_l("Language"), choices=language_choices)
    section = SelectField(_l("Section"), choices=_choices(SECTION_LABELS))
    position = IntegerField(_l("Position in its section"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=9999)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=100_000)])


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(), PlausibleYear()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional(), PlausibleYear()])
    location = StringField(_l("Place or link"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The end comes before the start."))


class FeedbackForm(FlaskForm):
    kind = RadioField(_l("What is it?"), choices=_choices(FEEDBACK_KIND_LABELS),
                      validators=[DataRequired(message=_l("Choose one."))])
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=5000)])
    anonymous = BooleanField(_l("Send anonymously (you will not be able to read the reply here)"))


class ReplyForm(FlaskForm):
    status = SelectField(_l("Status"), choices=_choices(FEEDBACK_STATUS_LABELS))
    reply = TextAreaField(_l("Answer or reason"), validators=[Length(max=5000)])


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
    kind = SelectField(_l("Type of answer"), choices=_choices(QUESTION_TYPE_LABELS))
    options = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=5000)])
    required = BooleanField(_l("An answer is required"))

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field):
        if self.kind.data in (QuestionType.SINGLE.value, QuestionType.MULTIPLE.value) and len(self.option_list()) < 2:
            raise ValidationError(_l("Give at least two choices, one per line."))


class ThanksForm(FlaskForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])
    # 0: the whole network. Otherwise an ambassador who agreed to be named.
    thanked = SelectField(_l("To"), coerce=int, default=0, validate_choice=True)
