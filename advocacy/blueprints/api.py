"""The read-only JSON API, /api/v1/: bearer tokens with scopes, no cookies, problem details on errors.

Thin: a token is checked (``services.api_tokens``), the figures come from
the same services as the pages, and ``services.api_serialisers`` shapes
them. The API never reads the session cookie: a browser's session opens
nothing here (``_without_cookies``), and nothing here sets one. It only
reads, so CSRF does not apply (the blueprint is exempt). Every request is
rate-limited per token (API_RATE_LIMIT).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from ..db import get_engine, get_session
from ..extensions import csrf, limiter, login_manager
from ..models import User
from ..problems import problem
from ..program_clock import program_today
from ..services import ambassadors, api_openapi, api_tokens, clock, insights, personal_data, personal_feed
from ..services import api_serialisers as serialise
from ..services.api_serialisers import ApiRequestError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _bearer_token() -> str | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _rate_limit_key() -> str:
    """Per token (its hash: the limiter's store never holds a token); per address without one."""
    token = _bearer_token()
    if token is None:
        return f"api-address:{get_remote_address()}"
    return f"api-token:{hashlib.sha256(token.encode()).hexdigest()[:32]}"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _refused_token(response) -> bool:
    return response.status_code == 401


# One count for the whole API per token, not one per endpoint; and, per
# address, the requests refused for want of a valid token, so that trying
# one made-up token after another (each its own count above) is limited too.
limiter.shared_limit(_rate_limit, scope="api", key_func=_rate_limit_key)(bp)
limiter.shared_limit(_rate_limit, scope="api-refused", key_func=lambda: f"api-refused:{get_remote_address()}",
                     deduct_when=_refused_token)(bp)


@bp.url_value_preprocessor
def _without_cookies(_endpoint, _values) -> None:
    """Nobody is signed in by cookie here: Flask-Login takes this as the request's user,
    so the app's checks on signed-in people (charter, onboarding) see an anonymous caller.
    (URL preprocessors run before every before-request function, the limiter's included.)"""
    g._login_user = login_manager.anonymous_user()


@bp.after_request
def _kept_by_no_cache(response):
    """Answers are personal or staff-only: no browser or proxy keeps a copy (the session-based
    rule in security.py sees no signed-in person here)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _language() -> str:
    return str(get_locale())  # from Accept-Language only under /api/ (i18n.select_locale)


def requires(scope: str) -> Callable:
    """The view runs for a valid token holding ``scope``: 401 without a valid token, 403 without the scope."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _bearer_token()
            if token is None:
                return problem(401, ApiRequestError("missing_token"))
            now = clock.now()
            caller = api_tokens.authenticate(get_session(), token, now)
            if caller is None:
                return problem(401, ApiRequestError("invalid_token"))
            if scope not in caller.scopes:
                return problem(403, ApiRequestError("insufficient_scope", scope=scope))
            today = clock.utc_day(now)
            if caller.due_for_last_used(today):  # a day, not each request: no write per request
                with get_engine().begin() as connection:
                    api_tokens.record_last_used(connection, caller.token_id, today)
            g.api_caller = caller
            try:
                return view(*args, **kwargs)
            except ApiRequestError as error:
                return problem(400, error)

        return wrapped

    return decorator


@bp.get("/openapi.json")
def openapi():
    return jsonify(api_openapi.document(url_for("api.openapi", _external=True).removesuffix("/openapi.json")))


@bp.get("/insights")
@requires("insights:read")
def insights_figures():
    try:
        period = insights.parse_range(request.args.get("start"), request.args.get("end"), clock.utc_today())
    except insights.RangeError:
        return problem(400, ApiRequestError("bad_date"))
    figures = insights.insights(get_session(), period, current_app.config["MIN_GROUP_SIZE"], _language(),
                                other_label=_("Other departments (merged)"), no_department_label=_("No department"))
    return jsonify(serialise.insights_json(figures))


def _cursors(kind: str) -> serialise.Cursors:
    return serialise.Cursors(str(current_app.config["SECRET_KEY"]), kind)


@bp.get("/contents")
@requires("contents:read")
def contents():
    page = serialise.contents_page(get_session(), _cursors("contents"), request.args.get("cursor"),
                                   serialise.parse_limit(request.args.get("limit")), clock.now(), _language())
    return jsonify(page.as_json())


@bp.get("/contents/<int:content_id>")
@requires("contents:read")
def content(content_id: int):
    found = serialise.one_content(get_session(), content_id, clock.now(), _language())
    return jsonify(found) if found is not None else problem(404)


@bp.get("/feeds")
@requires("feeds:read")
def feeds():
    page = serialise.feeds_page(get_session(), _cursors("feeds"), request.args.get("cursor"),
                                serialise.parse_limit(request.args.get("limit")))
    return jsonify(page.as_json())


@bp.get("/me/suggestions")
@requires("me:read")
def my_suggestions():
    limit = serialise.parse_limit(request.args.get("limit"), serialise.MAX_SUGGESTIONS)
    # The same people as the home feed and the Atom feed: a lapsed mandate or a charter not yet
    # accepted again means no suggestions (their data, /me/data, stays theirs to read).
    if not ambassadors.is_active_member(get_session(), g.api_caller.user_id, program_today()):
        return problem(403, ApiRequestError("not_an_active_member"))
    page = personal_feed.page(get_session(), g.api_caller.user_id, clock.now(), 1, limit)
    return jsonify(serialise.suggestions_json(page, _language()))


@bp.get("/me/data")
@requires("me:read")
def my_data():
    user = get_session().get(User, g.api_caller.user_id)
    return jsonify(personal_data.export(get_session(), user))
