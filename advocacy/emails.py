"""E-mails Relais writes: rendered from templates in the recipient's language."""

from __future__ import annotations

from email.message import Message

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import Role
from .services import mail
from .services.accounts import NewInvitation
from .services.sign_in_links import NewSignInLink
from .urls import external_url

# Whole sentences per role, not "as %(role)s": French elides and lowers the
# role's name in a sentence ("en tant qu'ambassadeur·rice").
INVITED_AS = {
    Role.AMBASSADOR: _l("%(inviter)s invites you to join %(program)s as an ambassador."),
    Role.CURATOR: _l("%(inviter)s invites you to join %(program)s as a curator."),
    Role.ADMIN: _l("%(inviter)s invites you to join %(program)s as an administrator."),
}


def mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config, current_app.instance_path)


def invitation_message(new: NewInvitation, *, inviter: str | None, language: str) -> Message:
    """The invitation (or, with no inviter, the confirmation of a self-registration),
    in ``language``: the invitee's, chosen by the admin."""
    link = external_url("auth.accept_invitation", token=new.token)
    program = current_app.config["PROGRAM_NAME"]
    days = current_app.config["INVITATION_TTL_DAYS"]
    with force_locale(language):
        if inviter:
            subject = _("You are invited to join %(program)s", program=program)
        else:
            subject = _("Confirm your e-mail address to join %(program)s", program=program)
        invited_as = str(INVITED_AS[new.invitation.role] % {"inviter": inviter, "program": program})
        text = render_template("mail/invitation.txt", link=link, program=program, days=days,
                               inviter=inviter, invited_as=invited_as)
    return mail.build_message(mail_settings(), new.invitation.email, subject, text)


def sign_in_link_message(new: NewSignInLink, *, language: str, next_page: str | None = None) -> Message:
    """The one-time sign-in link, in ``language``: the person's own, else the page's they asked from."""
    values = {"next": next_page} if next_page else {}
    link = external_url("auth.sign_in_by_link", token=new.token, **values)
    program = current_app.config["PROGRAM_NAME"]
    with force_locale(language):
        subject = _("Your link to sign in to %(program)s", program=program)
        text = render_template("mail/sign_in_link.txt", link=link, program=program,
                               minutes=current_app.config["SIGN_IN_LINK_MINUTES"])
    return mail.build_message(mail_settings(), new.user.email, subject, text)
