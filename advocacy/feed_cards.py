"""The personal feed's cards, rendered once and kept per process (issue 13: the feed's CPU).

A card's HTML is a function of what it shows and of nothing else: the
content (title, summary, image, link, highlight), why this person sees it
(the names of their needs and topics it matches), the share buttons (the
network's wording and tracked link, for the networks of the person's
profile and Mastodon server), the language, the page it is on and the
address the app is served at. The key holds every one of these values
themselves, not an id and a revision: an edit, an archiving (the content
leaves the page), a renamed topic or another language make another key, so
what a page shows is always what the database says at that request.

Two people share a kept card only when every value in its key is the same
for both, that is when each would have rendered the same HTML. Tracked links
carry the content and the network, never the person (``tracked_links.py``).
Two things on a card are per session and never kept: the CSRF token and the
intent keys (one per "Did you share it?" form). A kept card holds markers in
their place, random per process, that ``fill`` replaces for each request.

The cache is bounded (``FEED_CARDS_KEPT``, least recently used out first;
0 renders every card every time).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from contextlib import contextmanager

from flask import current_app, g, render_template, request
from markupsafe import Markup

from . import intents
from .forms.common import NETWORK_LABELS
from .models import AmbassadorProfile
from .services import personal_feed, share_choices
from .services.networks import SHARE_SHEET
from .urls import tracked_url

# Per process, unguessable: a content's text cannot spell them (and is escaped anyway).
_CSRF_MARK = f"relais-csrf-{secrets.token_hex(16)}"
_INTENT_MARK = f"relais-intent-{secrets.token_hex(16)}"
_RENDERING = "relais_rendering_kept_card"


class KeptCards:
    """Rendered cards by key, least recently used out first; safe across a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._cards: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cards)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            card = self._cards.get(key)
            if card is not None:
                self._cards.move_to_end(key)
            return card

    def put(self, key: Hashable, card: str) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._cards[key] = card
            self._cards.move_to_end(key)
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)


def kept_cards() -> KeptCards:
    """This process's cards, kept with the app (its lifetime and its configuration)."""
    return current_app.extensions.setdefault("advocacy.feed_cards", KeptCards(current_app.config["FEED_CARDS_KEPT"]))


def rendering_kept_card() -> bool:
    """True while a card to keep is rendered: ``csrf_token()`` and ``intent_field()`` give markers."""
    return bool(g.get(_RENDERING))


def csrf_mark() -> str:
    return _CSRF_MARK


def intent_mark() -> Markup:
    return Markup(_INTENT_MARK)


@contextmanager
def _markers():
    g.setdefault(_RENDERING, False)
    setattr(g, _RENDERING, True)
    try:
        yield
    finally:
        setattr(g, _RENDERING, False)


def fill(card: str, csrf_token: str) -> Markup:
    """A kept card for this request: the session's CSRF token, and a fresh intent key per form."""
    pieces = card.replace(_CSRF_MARK, csrf_token).split(_INTENT_MARK)
    filled = [pieces[0]]
    for piece in pieces[1:]:
        filled += [intents.hidden_field(), piece]
    return Markup("".join(filled))


def _kit_key(kit: share_choices.ShareKit) -> tuple:
    return (tuple(sorted(kit.codes.items())),
            tuple(sorted((network, tuple(texts)) for network, texts in kit.texts.items())))


def _why(suggestion: personal_feed.Suggestion, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names the card gives: the needs in their order, the topics alphabetically (as everywhere)."""
    return (tuple(need.label(language) for need in suggestion.needs),
            tuple(sorted((topic.label(language) for topic in suggestion.topics), key=str.casefold)))


def _key(suggestion: personal_feed.Suggestion, why: tuple, kit: share_choices.ShareKit, networks: tuple[str, ...],
         instance: str | None, language: str, page: int, first: bool, link_base: str) -> tuple:
    content = suggestion.content
    return (request.script_root, link_base, language, page, first, networks, instance,
            content.id, content.title, content.summary, content.image_sha256, content.highlighted,
            content.target_url, why, _kit_key(kit))


def cards(db, feed: personal_feed.Page, profile: AmbassadorProfile | None, language: str,
          csrf_token: str) -> list[Markup]:
    """The page's cards, each from the kept ones or rendered (and kept); one statement for the kits."""
    mine, _others = share_choices.profile_first(profile.networks if profile else [])
    networks = (*mine, SHARE_SHEET)
    instance = profile.mastodon_instance if profile else None
    kits = share_choices.kits_for(db, [suggestion.content.id for suggestion in feed.suggestions])
    link_base = current_app.config.get("BASE_URL") or request.host_url
    kept = kept_cards()
    made = []
    for position, suggestion in enumerate(feed.suggestions):
        kit = kits[suggestion.content.id]
        why = _why(suggestion, language)
        key = _key(suggestion, why, kit, networks, instance, language, feed.page, position == 0, link_base)
        card = kept.get(key)
        if card is None:
            card = _render(suggestion, why, kit, networks, instance, language, feed.page, first=position == 0)
            kept.put(key, card)
        made.append(fill(card, csrf_token))
    return made


def _render(suggestion: personal_feed.Suggestion, why: tuple, kit: share_choices.ShareKit,
            networks: Iterable[str], instance: str | None, language: str, page: int, first: bool) -> str:
    choices = share_choices.buttons(kit, suggestion.content.title, networks, link_url=tracked_url,
                                    mastodon_instance=instance)
    with _markers():
        return render_template("main/_card.html", suggestion=suggestion, choices=choices, need_labels=why[0],
                               topic_labels=why[1], page=page, first=first, network_labels=NETWORK_LABELS,
                               sheet_network=SHARE_SHEET)
