"""URL helpers shared by views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

from .models.base import MAX_ID

# Page numbers past this show an empty page: no program has 100,000 pages,
# and an OFFSET beyond the database's integer range is a server error.
MAX_PAGE = 100_000


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only follow local paths: no scheme, no host, no protocol-relative '//'."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and not any(ord(c) < 32 for c in target)):
            return target
    return url_for(default_endpoint)


class NoBaseURL(RuntimeError):
    """A link for an e-mail is needed outside a request, and no public address is configured."""


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for e-mails: BASE_URL when configured, else the request's host.

    Scheduled jobs have no request to take a host from: there BASE_URL (or
    Flask's SERVER_NAME) must be set, else NoBaseURL says so.
    """
    base = current_app.config.get("BASE_URL")
    if has_request_context():
        if base:
            return base.rstrip("/") + url_for(endpoint, **values)
        return url_for(endpoint, _external=True, **values)
    if base:
        # Only the path is needed: build it as a request at "/" would.
        path = current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)
        return base.rstrip("/") + path
    if current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    raise NoBaseURL("set BASE_URL: e-mails sent by scheduled jobs need the public address for their links")


def can_build_external_urls() -> bool:
    return has_request_context() or bool(current_app.config.get("BASE_URL") or current_app.config.get("SERVER_NAME"))


def current_path() -> str:
    return request.full_path.rstrip("?")


def tracked_url(code: str) -> str:
    """The public address of a tracked link (/s/<code>), as ambassadors post it."""
    base = current_app.config.get("BASE_URL") or request.host_url
    return f"{base.rstrip('/')}/s/{code}"


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id no row can have is a 404 at routing,
    not an integer overflow in the database (SQLite: 2^63, PostgreSQL: 2^31)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number(value: int | None) -> int:
    return min(max(value or 1, 1), MAX_PAGE)


# Links to one row (a content's share panel, its "Not for me" form): a page
# of cards has two or three per card, and Werkzeug builds each one through
# the whole URL map. For a route whose only values are ids, the address is a
# fixed text with the ids put in: built once by url_for per process (and
# mount path), then filled in. Anything else goes to url_for itself.
_SENTINEL = 987_654_321  # an id no path spells by chance; + n for the n-th value


def _id_route(endpoint: str, names: tuple[str, ...]) -> list[str] | None:
    """The route's address cut around its values (in ``names`` order), or None when url_for must build it."""
    app = current_app
    rules = app.url_map._rules_by_endpoint.get(endpoint, [])
    if len(rules) != 1 or app.url_default_functions or rules[0].defaults:
        return None
    rule = rules[0]
    if set(names) != rule.arguments or not all(
            type(rule._converters[name]) is DatabaseIdConverter for name in names):
        return None
    sentinels: dict[str, Any] = {name: _SENTINEL + n for n, name in enumerate(names)}
    built = url_for(endpoint, **sentinels)
    pieces = []
    for n, _name in enumerate(names):
        before, found, built = built.partition(str(_SENTINEL + n))
        if not found or str(_SENTINEL + n) in built:
            return None
        pieces.append(before)
    return [*pieces, built]


def fast_url_for(endpoint: str, **values) -> str:
    """``url_for`` in templates: the same address, filled in when the route takes only ids."""
    # Outside a request (an e-mail a job renders) url_for builds with the app's SERVER_NAME: left to it.
    if values and has_request_context() and all(type(value) is int and 0 < value <= MAX_ID
                                                 for value in values.values()):
        names = tuple(values)
        key = (request.script_root, endpoint, names)
        routes = current_app.extensions.setdefault("advocacy.id_routes", {})
        if key not in routes:
            routes[key] = _id_route(endpoint, names)
        pieces = routes[key]
        if pieces is not None:
            filled = (piece + str(values[name]) for piece, name in zip(pieces[:-1], names, strict=True))
            return "".join(filled) + pieces[-1]
    return url_for(endpoint, **values)
