"""Tracked links, /s/<code>: count the click, then send the visitor on.

Public and anonymous, and on every click, so they are served by a small
Flask app of their own, mounted at /s in front of the main one (``mount``):
none of the main app's per-request work runs for a click (session, login,
rate limiter, charter check), and this app has no session at all: it
cannot read who is signed in, nor set a cookie, by construction. It shares
the main app's configuration and database.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from .. import db, logs, security
from ..errors import ERROR_TEXTS
from ..extensions import babel
from ..i18n import browser_language
from ..models import utcnow
from ..services import clicks
from ..services.click_buffer import click_buffer

PREFIX = "/s"
# The main app's security headers (the same values, read from it once), and
# a cached redirect would skip the next click's count.
PAGE_HEADERS = [*[(name, value) for name, value in security.add_security_headers(Response()).headers
                  if name not in ("Content-Type", "Content-Length")],
                ("Cache-Control", "no-store"), ("X-Robots-Tag", "noindex")]
# The target learns the network from the UTM tags, not the page the person
# was reading when they clicked.
REDIRECT_HEADERS = [(name, "no-referrer" if name == "Referrer-Policy" else value) for name, value in PAGE_HEADERS]
CACHE_KEY = "advocacy.link_cache"
ENGINE_KEY = "advocacy.link_engine"
APP_KEY = "advocacy.links_app"
BUFFER_KEY = "advocacy.click_buffer"
bp = Blueprint("links", __name__)


def mount(app: Flask) -> Flask:
    """Serve /s/... from the tracked-link app (kept in app.extensions[APP_KEY])."""
    links_app = Flask(__name__.split(".")[0], static_folder=None)
    links_app.config = app.config
    links_app.session_interface = NoSession()
    bind(links_app)
    babel.init_app(links_app, locale_selector=_browser_language)
    links_app.register_error_handler(HTTPException, lambda error: _unavailable(error.code or 500))
    links_app.register_blueprint(bp)
    links_app.teardown_request(logs.note_route)  # the request log names /s/<code>, never the code
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: links_app.wsgi_app})  # type: ignore[method-assign]
    app.extensions[APP_KEY] = links_app
    return links_app


def bind(links_app: Flask) -> None:
    """The links app's engines, link cache and click buffer, for its ``DATABASE_URL``
    (at start, and again when the test suite reuses an app on a fresh database)."""
    config = links_app.config
    # Its own engine (no connection until the first click): see clicks.ENGINE_OPTIONS.
    links_app.extensions[ENGINE_KEY] = db.make_engine(config["DATABASE_URL"], **clicks.ENGINE_OPTIONS)
    links_app.extensions[CACHE_KEY] = clicks.LinkCache(float(config["TRACKED_LINK_CACHE_SECONDS"]))
    # Clicks wait in memory for at most TRACKED_LINK_WRITE_SECONDS (0: each
    # written at once); the writes go through a transactional engine of their own.
    links_app.extensions[BUFFER_KEY] = click_buffer(db.make_engine(config["DATABASE_URL"]),
                                                    float(config["TRACKED_LINK_WRITE_SECONDS"]))


def close(app: Flask) -> None:
    """Write the clicks still in memory and let go of the links' connections
    (a process stopping normally does this by itself, see click_buffer)."""
    links_app = app.extensions[APP_KEY]
    buffer = links_app.extensions[BUFFER_KEY]
    buffer.close()
    buffer.engine.dispose()
    links_app.extensions[ENGINE_KEY].dispose()


class NoSession(SessionInterface):
    """Never a session: no cookie is read or written, whatever the request carries."""

    def open_session(self, app: Flask, request) -> None:
        return None  # Flask then uses a read-only, empty NullSession

    def save_session(self, app: Flask, session, response) -> None:
        pass


# <path:...>, and no merging of "//" into a redirect, so that anything under
# /s/ ("..%2F..", "a/b", "//host") gets this view's own answer; the service
# rejects whatever is not a well-formed code.
@bp.get("/<path:code>", merge_slashes=False)
def follow(code: str):
    config = current_app.config
    resolved = clicks.follow(
        current_app.extensions[ENGINE_KEY], code, utcnow(), utm=bool(config["TRACKED_LINK_UTM"]),
        cache=current_app.extensions[CACHE_KEY], buffer=current_app.extensions[BUFFER_KEY],
        user_agent=request.headers.get("User-Agent"),
        # HEAD is how link checkers and some previewers probe: answered, not counted.
        counted=request.method != "HEAD")
    if resolved.outcome is clicks.Outcome.GONE:
        return _unavailable(410)
    if resolved.outcome is not clicks.Outcome.LIVE or resolved.location is None:
        return _unavailable(404)
    response = redirect(resolved.location, 302)
    response.headers.extend(REDIRECT_HEADERS)
    return response


def _browser_language() -> str:
    """The visitor's own language setting would mean reading their account."""
    return browser_language(current_app.config["LANGUAGES"])


def _unavailable(code: int):
    """A standalone error page (the main layout needs the session and the login)."""
    title, message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    html = render_template("links/unavailable.html", code=code, title=title, message=message,
                           language=_browser_language(),
                           root=request.script_root.removesuffix(PREFIX))  # the main app's, for its stylesheet
    return html, code, PAGE_HEADERS
