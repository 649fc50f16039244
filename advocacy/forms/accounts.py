"""Forms for signing in, invitations and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..models import Role
from ..services.passwords import MIN_PASSWORD_LENGTH
from .common import language_choices

ROLE_LABELS = {
    Role.AMBASSADOR: _l("Ambassador"),
    Role.CURATOR: _l("Curator"),
    Role.ADMIN: _l("Administrator"),
}


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


# Off unless ticked: on a shared computer, closing the browser signs out.
REMEMBER_LABEL = _l("Keep me signed in on this device")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(REMEMBER_LABEL)
    next = HiddenField()


class SignInLinkRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    next = HiddenField()


class SignInLinkConfirmForm(FlaskForm):
    remember = BooleanField(REMEMBER_LABEL)
    next = HiddenField()


class NewPasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024,
                   message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Language"), choices=language_choices)


class JoinForm(FlaskForm):
    email = EmailField(
        _l("Work e-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=role_choices, default=Role.AMBASSADOR.value)
    language = SelectField(_l("Language of the invitation"), choices=language_choices)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=language_choices)
    next = HiddenField()
