"""The one-click unsubscribe pages of the e-mails that carry them (the digest, the notifications).

GET shows a page with a button: link scanners and mail previews follow GETs,
so a GET changes nothing. POST withdraws: the page's button, or a mail
provider's RFC 8058 one-click request (a POST of "List-Unsubscribe=One-Click"),
which carries no CSRF token. The signed token in the address is the
authentication (a forger would need it, and only the recipient has it), so the
POST is exempt from CSRF. Both pages speak the person's language, whoever's
browser opens them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, make_response, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from ..db import get_session
from ..errors import render_error
from ..extensions import csrf
from ..i18n import language_of
from ..models import Purpose, User
from ..services import consent, digest


@dataclass(frozen=True)
class Unsubscribe:
    purpose: Purpose  # the consent the e-mails rest on
    salt: str  # the token's salt (services/digest.py signs them): one link never stops the other e-mails
    template: str  # shows the state (subscribed or not) and, once done, says so
    invalid_link: Callable[[], str]  # the message for a token that is not valid
    withdraw: Callable[[Session, User], object]  # what it returns is not read


def add_routes(bp: Blueprint, pages: Unsubscribe) -> None:
    """``<bp>.unsubscribe`` (GET) and ``<bp>.confirm_unsubscribe`` (POST) at /unsubscribe/<token>."""

    def person(token: str) -> User:
        user = digest.user_of_token(get_session(), current_app.config["SECRET_KEY"], token, pages.salt)
        if user is None:
            abort(make_response(render_error(404, pages.invalid_link())))
        return user

    @bp.get("/unsubscribe/<token>", endpoint="unsubscribe")
    def show(token: str):
        user = person(token)
        subscribed = consent.has_consent(get_session(), user.id, pages.purpose)
        with force_locale(language_of(user.language)):
            return render_template(pages.template, token=token, subscribed=subscribed, done=False)

    @bp.post("/unsubscribe/<token>", endpoint="confirm_unsubscribe")
    def confirm(token: str):
        user = person(token)
        db = get_session()
        pages.withdraw(db, user)
        db.commit()
        with force_locale(language_of(user.language)):
            return render_template(pages.template, token=token, subscribed=False, done=True)

    csrf.exempt(confirm)
