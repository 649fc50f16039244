"""Parts of pages rendered once and kept per process (issue 13: the CPU of the feed and the share panel).

A kept part is a function of its key and of nothing else: whoever renders a
part passes, in the key, every value the part shows, or a revision that
moves whenever one of them changes (a content's ``updated_at`` stands for
its wordings: every save that changes them moves it), so an edit, another
language or other choices make another key, and what a page shows is always
what the database says at that request.
Two readers share a kept part only when every value in its key is the same
for both, that is when each would have rendered the same HTML.

Two things are per session and never kept: the CSRF token and the intent
keys (``intents.py``, one per creating form). While a part to keep is
rendered, ``csrf_token()`` and ``intent_field()`` give markers, random per
process (no text can spell them, and text is escaped anyway); ``render``
fills in the session's token and a fresh intent key per form for each
request. Other values of the request (the page's own address for a form's
"next") are rendered as ``marker(name)`` and filled in the same way.

Used by the feed's cards and the share panel's body (issue 13) and the
curation queue's rows and filters (issue 14).

Bounded: ``KEPT_HTML`` parts per process, least recently used out first
(0 keeps nothing: every part rendered every time).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from flask import current_app, g, render_template, request
from flask_babel import get_locale
from markupsafe import Markup, escape

from . import intents

_CSRF_MARK = f"relais-csrf-{secrets.token_hex(16)}"
_INTENT_MARK = f"relais-intent-{secrets.token_hex(16)}"
_VALUE_MARK = f"relais-value-{secrets.token_hex(16)}"
_RENDERING = "relais_rendering_kept_html"


class KeptHtml:
    """Rendered parts by key, least recently used out first; safe across a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._parts: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._parts)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
            return part

    def put(self, key: Hashable, part: str) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._parts[key] = part
            self._parts.move_to_end(key)
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)


def kept() -> KeptHtml:
    """This process's parts, kept with the app (its lifetime and its configuration)."""
    return current_app.extensions.setdefault("advocacy.kept_html", KeptHtml(current_app.config["KEPT_HTML"]))


def rendering_to_keep() -> bool:
    """True while a part to keep is rendered: ``csrf_token()`` and ``intent_field()`` give markers."""
    return bool(g.get(_RENDERING))


def csrf_mark() -> str:
    return _CSRF_MARK


def intent_mark() -> Markup:
    return Markup(_INTENT_MARK)


def marker(name: str) -> Markup:
    """Rendered in a part to keep where this request's ``name`` goes (``render``'s ``values``)."""
    return Markup(f"{_VALUE_MARK}-{name}.")


def fill(part: str, csrf_token: str, values: Mapping[str, str] | None = None) -> Markup:
    """A kept part for this request: the session's CSRF token, a fresh intent key per form, and
    the request's ``values`` (escaped) where their markers are."""
    part = part.replace(_CSRF_MARK, csrf_token)
    for name, value in (values or {}).items():
        part = part.replace(marker(name), str(escape(value)))
    pieces = part.split(_INTENT_MARK)
    filled = [pieces[0]]
    for piece in pieces[1:]:
        filled += [intents.hidden_field(), piece]
    return Markup("".join(filled))


_REQUEST_KEY = "advocacy.kept_html.request_key"


def _full_key(template: str, key: tuple) -> tuple:
    # The path the app is mounted at and the language are the request's: looked up once
    # per request, not once per card (ten cards, each through Flask-Babel's and Flask's proxies).
    of_request = g.get(_REQUEST_KEY)
    if of_request is None:
        of_request = (request.script_root, str(get_locale()))
        setattr(g, _REQUEST_KEY, of_request)
    return (template, *of_request, *key)


def find(template: str, key: tuple, csrf_token: str) -> Markup | None:
    """The part kept under ``key``, filled for this request, or None (then ``render`` it)."""
    part = kept().get(_full_key(template, key))
    return None if part is None else fill(part, csrf_token)


def render(template: str, key: tuple, csrf_token: str, context: Callable[[], dict],
           values: Mapping[str, str] | None = None) -> Markup:
    """``template`` rendered with what ``context()`` gives (called only then), or kept from an earlier
    request under the same ``key``.

    ``key`` must hold every value the template shows, or a revision that
    changes whenever one of them does (the template's name, the language and
    the path the app is mounted at are added here)."""
    full_key = _full_key(template, key)
    store = kept()
    part = store.get(full_key)
    if part is None:
        setattr(g, _RENDERING, True)
        try:
            part = render_template(template, **context())
        finally:
            setattr(g, _RENDERING, False)
        store.put(full_key, part)
    return fill(part, csrf_token, values)
