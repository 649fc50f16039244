"""Response headers and cookie rules that every page gets."""

from __future__ import annotations

from itertools import chain
from typing import TypeVar

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.wrappers import Response as AnyResponse

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
        "worker-src 'self'",  # the service worker, /sw.js (blueprints/webapp.py)
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)



def allow_form_target(response: Response, origin: str) -> Response:
    """This page's policy, letting its forms lead to ``origin`` as well as to us.

    Only the sign-in page needs it, for its single sign-on form: browsers
    apply form-action to the redirect that follows a form too, and ours
    leads on to the provider's sign-in page (blueprints/sso.py).
    """
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {origin}")
    return response


# Browser features no page of ours uses, denied to us and to anything framed.
# The clipboard and the system share sheet (web-share) stay allowed: the
# share panel uses both.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "geolocation",
                    "gyroscope", "interest-cohort", "magnetometer", "microphone", "midi", "payment", "usb")
)

# Sent on HTTPS responses only: over plain HTTP a browser ignores it, and
# sending it from a test or intranet host on HTTP would say nothing true.
# One year, this host only: includeSubDomains or preload would bind the
# organisation's other hosts, which is not ours to decide.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

# Responses that are the same for every reader of a language, signed in or
# not, and keep their own caching rule: our static files and the installable
# app's files (blueprints/webapp.py).
NOTHING_PERSONAL = frozenset({"static", "images.show", "webapp.favicon", "webapp.manifest",
                              "webapp.service_worker", "webapp.offline"})

# The one weaker rule a signed-in page may choose: the ambassador's feed, so
# that the service worker may keep it for reading offline (it keeps nothing
# marked no-store). "private": no shared cache may keep it; "no-cache": the
# browser asks again before every use while online. The copies it allows go
# at sign-out, with SIGNED_OUT_CLEAR_SITE_DATA below.
KEPT_FOR_OFFLINE = "private, no-cache"

# Sent when a session ends on this device (sign-out, erasure): the browser
# empties its cache and the service worker's (the kept feed) and unregisters
# the worker, so the next person on a shared device sees nothing of the last.
# Browsers honour it over HTTPS and on localhost.
SIGNED_OUT_CLEAR_SITE_DATA = '"cache", "storage"'


# Paths read by programs that carry no login (feed readers, blueprints/reader_feeds.py):
# no session is opened, so nothing there can read who is signed in in this
# browser, and no cookie is ever set, whatever the request carries.
SESSIONLESS_PREFIX = "/atom/"


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure whenever the request is HTTPS; none under SESSIONLESS_PREFIX."""

    def open_session(self, app: Flask, request):
        if request.path.startswith(SESSIONLESS_PREFIX):
            return None  # Flask then uses a read-only, empty NullSession, saved never
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    return response


def add_request_headers(response: Response) -> Response:
    """The headers that depend on the request: HTTPS or not, signed in or not.
    (Apart from the fixed ones, which the tracked-link app copies once.)"""
    if request.is_secure:  # what the proxy says once PROXY_FIX trusts it
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    # A view's weaker rule gives way; its own "private, no-store" (the calendar feed) stays,
    # and so does the feed's KEPT_FOR_OFFLINE.
    cache_control = response.headers.get("Cache-Control", "")
    if _personal(response) and "no-store" not in cache_control and cache_control != KEPT_FOR_OFFLINE:
        response.headers["Cache-Control"] = "no-store"
    return response


def _personal(response: Response) -> bool:
    """Whether no cache (browser, proxy, back button on a shared computer) may keep this response.

    Every page a signed-in person gets shows who they are at least, and
    many show their data: all of them, and every download (an export is
    personal or staff-only whoever asks), rather than a list to keep up to
    date. Our static files, the copied feed images and the app's icons,
    manifest, worker and offline page are the same for everyone and stay cacheable.
    """
    if request.endpoint in NOTHING_PERSONAL:
        return False
    if "attachment" in response.headers.get("Content-Disposition", ""):
        return True
    return bool(current_user.is_authenticated)


def keep_for_offline(response: Response) -> Response:
    """Let the service worker keep this signed-in page (the ambassador's feed) to show offline."""
    response.headers["Cache-Control"] = KEPT_FOR_OFFLINE
    return response


# Any response, Flask's or a plain redirect's: the header is all it needs.
AnyResponseT = TypeVar("AnyResponseT", bound=AnyResponse)


def forget_on_this_device(response: AnyResponseT) -> AnyResponseT:
    """Mark the response that ends a session here: the browser drops what it kept of the person."""
    response.headers["Clear-Site-Data"] = SIGNED_OUT_CLEAR_SITE_DATA
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
    app.after_request(add_request_headers)
