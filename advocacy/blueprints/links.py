"""Tracked links, /s/<code>: count the click, then send the visitor on.

Public and anonymous. Nothing here reads the login session, loads a user or
sets a cookie, whatever the answer: a tracked link must not tell us who
clicked it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request
from flask_babel import force_locale

from ..db import get_engine
from ..errors import ERROR_TEXTS
from ..models import utcnow
from ..services import clicks

bp = Blueprint("links", __name__)


# <path:...>, and no merging of "//" into a redirect, so that anything under
# /s/ ("..%2F..", "a/b", "//host") gets this view's own answer; the service
# rejects whatever is not a well-formed code.
@bp.get("/s/<path:code>", merge_slashes=False)
def follow(code: str):
    now = utcnow()
    with get_engine().connect() as connection:
        resolved = clicks.resolve(connection, code, now, utm=bool(current_app.config["TRACKED_LINK_UTM"]))
        if resolved.outcome is clicks.Outcome.GONE:
            return _unavailable(410)
        if resolved.outcome is not clicks.Outcome.LIVE:
            return _unavailable(404)
        # HEAD is how link checkers and some previewers probe: answered, not counted.
        if request.method != "HEAD":
            kind = clicks.classify(request.headers.get("User-Agent"))
            clicks.count(connection, resolved.link_id, now.date(), kind)  # the day in UTC
            connection.commit()
    response = redirect(resolved.location, 302)
    # A cached redirect would skip the next click's count.
    response.headers["Cache-Control"] = "no-store"
    # The target learns the network from the UTM tags, not the page the
    # person was reading when they clicked.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(code: int):
    """The error page, in the browser's language.

    Rendered straight from the Jinja environment: render_template would run
    the context processors, and Flask-Login's loads the signed-in user (and
    may rewrite their session cookie). The visitor's own language setting
    would need their account too, hence Accept-Language.
    """
    languages = current_app.config["LANGUAGES"]
    language = request.accept_languages.best_match(languages) or languages[0]
    title, message = ERROR_TEXTS[code]
    with force_locale(language):
        html = current_app.jinja_env.get_template("links/unavailable.html").render(
            code=code, title=str(title), message=str(message), language=language)
    return html, code, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
