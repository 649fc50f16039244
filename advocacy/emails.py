"""E-mails Relais writes: rendered from templates in the recipient's language."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .services import mail
from .services.accounts import NewInvitation
from .urls import external_url


def mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config, current_app.instance_path)


def invitation_message(new: NewInvitation, *, inviter: str | None, role_label: str, language: str) -> EmailMessage:
    """The invitation (or, with no inviter, the confirmation of a self-registration)."""
    link = external_url("auth.accept_invitation", token=new.token)
    program = current_app.config["PROGRAM_NAME"]
    days = current_app.config["INVITATION_TTL_DAYS"]
    with force_locale(language):
        if inviter:
            subject = _("You are invited to join %(program)s", program=program)
        else:
            subject = _("Confirm your e-mail address to join %(program)s", program=program)
        text = render_template("mail/invitation.txt", link=link, program=program, days=days,
                               inviter=inviter, role=role_label)
    return mail.build_message(mail_settings(), new.invitation.email, subject, text)
