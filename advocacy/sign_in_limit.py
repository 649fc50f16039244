"""The per-account sign-in limit, on top of the per-address one.

The per-address limit stops guessing from one machine; this one stops
guesses at one account spread over many addresses. It is keyed on the
e-mail typed, normalised, whether or not an account has it, so a refusal
says nothing about who has an account; the key is an HMAC of the address,
so the limiter's store (memory, Redis) holds no e-mail addresses.

Someone else's failures must not keep a person out: only failed attempts
count, the window is short (LOGIN_ACCOUNT_RATE_LIMIT, 10 per 15 minutes),
and a browser that has signed in to the account before is not subject to
it at all. A successful sign-in leaves a signed "known device" cookie,
sent only to /login, holding the account's key; the person's own browser
carrying it is limited per address only, like any browser.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, request, url_for
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as AnyResponse

from .services import accounts

KNOWN_DEVICE_COOKIE = "relais_known_device"
KNOWN_DEVICE_DAYS = 365
_SALT = "known-device"


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key(email: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, accounts.normalise_email(email).encode(), hashlib.sha256).hexdigest()
    return f"account:{digest[:32]}"


def submitted_account() -> str:
    """The limiter's key: the account typed in the form ("" skips the limit: nothing was typed)."""
    email = request.form.get("email", "")
    return _account_key(email) if email.strip() else ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def from_known_device() -> bool:
    """Whether this browser has signed in to the account typed before (exempt from the account limit)."""
    cookie = request.cookies.get(KNOWN_DEVICE_COOKIE)
    key = submitted_account()
    if not cookie or not key:
        return False
    try:
        remembered = _serializer().loads(cookie, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return hmac.compare_digest(str(remembered), key)


def note_failure() -> None:
    """Called by the view when the e-mail and password did not match: only those attempts count."""
    g.sign_in_failed = True


def failed(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def forget_device(response: AnyResponse) -> None:
    """After an erasure: nothing keyed to the person stays, in this browser either."""
    response.delete_cookie(KNOWN_DEVICE_COOKIE, path=url_for("auth.login"))


def remember_device(response: AnyResponse, email: str) -> None:
    """After a successful sign-in: this browser is the account's own from now on."""
    response.set_cookie(
        KNOWN_DEVICE_COOKIE, _serializer().dumps(_account_key(email)), max_age=KNOWN_DEVICE_DAYS * 86400,
        path=url_for("auth.login"), httponly=True, samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
    )
