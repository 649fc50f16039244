"""Response headers and cookie rules that every page gets."""

from __future__ import annotations

from itertools import chain

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface

# No inline script, ever: JavaScript lives in static files. Images too are
# ours only: feed images are copied at ingest and served from /img/
# (services/images.py), so no page makes a reader's browser call a third party.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure whenever the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def refuse_nul_characters() -> None:
    """Nobody types U+0000, and PostgreSQL refuses it in any text column (a
    server error, on the sign-in form too): refuse the request before any
    query sees it."""
    values = chain(chain.from_iterable(request.args.listvalues()),
                   chain.from_iterable(request.form.listvalues()),
                   (v for v in (request.view_args or {}).values() if isinstance(v, str)))
    if any("\x00" in value for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
