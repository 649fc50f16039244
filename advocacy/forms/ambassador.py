"""Forms of the ambassador's own pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..services.networks import NETWORKS
from .common import NETWORK_LABELS, MultiCheckboxField, language_choices
from .validators import PlausibleYear


class TextVersionForm(FlaskForm):
    """Carries which exact text the person read, so the record names it."""

    version = IntegerField(validators=[InputRequired()])
    language = HiddenField(validators=[DataRequired(), Length(max=8)])


class CharterForm(TextVersionForm):
    accept = BooleanField(_l("I have read the charter and I want to join the program."),
                          validators=[DataRequired(message=_l("Tick the box to join."))])


class ProfileForm(FlaskForm):
    needs = MultiCheckboxField(_l("What you want from the program"), coerce=int)
    topics = MultiCheckboxField(_l("Topics you like to share about"), coerce=int)
    networks = MultiCheckboxField(
        _l("The networks you use"),
        # The share sheet ("other") is no choice: every device that has one offers it.
        choices=lambda: [SelectChoice(key, NETWORK_LABELS[key]) for key in NETWORKS],
    )
    mastodon_instance = StringField(_l("Your Mastodon instance"), validators=[Optional(), Length(max=300)])
    department = SelectField(_l("Department (optional)"), coerce=int, validators=[Optional()])
    language = SelectField(_l("Language"), choices=language_choices)
    paused_until = DateField(_l("Pause until (optional)"), validators=[Optional(), PlausibleYear()])


class AboutYouForm(ProfileForm):
    """The guided step "about you": the profile's choices, without department and pause."""

    department = None
    paused_until = None


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])
    confirm = BooleanField(_l("I understand that this cannot be undone."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
