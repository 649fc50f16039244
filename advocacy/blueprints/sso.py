"""Single sign-on: "Sign in with …" through the OpenID Connect provider (services/sso.py).

Off, with both addresses a 404, unless OIDC_ISSUER is set. The attempt
(state, nonce, PKCE verifier) waits in the browser's signed session and is
taken out of it at the callback, whatever the callback's outcome, so it
serves once. A refusal is an error page that says why and leads back to the
sign-in page; it signs nobody in and stores nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import sign_in_limit
from ..db import get_session
from ..errors import render_error
from ..extensions import limiter
from ..messages import message_for
from ..services import clock, sso
from ..urls import safe_next
from .auth import start_session

bp = Blueprint("sso", __name__)

# The key in the signed session cookie that holds the attempt under way.
PENDING_KEY = "sso_pending"


def _provider() -> sso.Provider:
    provider = sso.Provider.from_config(current_app.config)
    if provider is None:
        abort(404)
    return provider


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _callback_url() -> str:
    # Registered at the provider as is: the public address when BASE_URL is set.
    base = current_app.config.get("BASE_URL")
    path = url_for("sso.callback")
    return f"{str(base).rstrip('/')}{path}" if base else url_for("sso.callback", _external=True)


def _refusal(error: sso.SsoError):
    status = 403 if error.code in {"email_unverified", "unknown_account", "inactive", "denied"} else 400
    if error.code == "unreachable":
        status = 502
    return render_error(status, message_for(error), action=(_("Back to sign-in"), url_for("auth.login")))


@bp.get("/login/sso")
@limiter.limit(_login_limit)
def start():
    """Send the browser to the provider, remembering the attempt in its session."""
    provider = _provider()
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    next_page = request.args.get("next") or None
    if next_page and safe_next(next_page) != next_page:
        next_page = None  # only a path of ours
    try:
        with sso.http_client() as http:
            found = sso.metadata(provider, http, now=clock.now())
    except sso.SsoError as error:
        return _refusal(error)
    address, pending = sso.begin(provider, found, _callback_url(), now=clock.now(), next_page=next_page,
                                 remember=request.args.get("remember") == "y")
    session[PENDING_KEY] = pending.as_dict()
    return redirect(address)


@bp.get("/login/sso/callback")
@limiter.limit(_login_limit)
def callback():
    """The provider sends the browser back here: check everything, then sign in the account found."""
    provider = _provider()
    # Taken out first: whatever happens next, this attempt cannot serve again.
    pending = sso.Pending.from_dict(session.pop(PENDING_KEY, None))
    db = get_session()
    try:
        with sso.http_client() as http:
            identity = sso.finish(provider, http, pending, request.args, _callback_url(), now=clock.now())
        user = sso.account_for(db, identity)
    except sso.SsoError as error:
        db.rollback()
        return _refusal(error)
    assert pending is not None  # finish refuses a callback without an attempt
    start_session(user, persistent=pending.remember)
    response = redirect(safe_next(pending.next_page))
    # As after a password: this browser is the account's own for the per-account limit.
    sign_in_limit.remember_device(response, user.email)
    return response
