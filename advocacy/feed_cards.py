"""The personal feed's cards, rendered once and kept per process (``kept_html.py``; issue 13).

A card shows the content (title, summary, image, link, highlight), why this
person sees it (the names of their needs and topics it matches), the share
buttons (each network's wording and tracked link, for the networks of the
person's profile and their Mastodon server), on a page of the feed: its key
holds all of these values. Tracked links carry the content and the network,
never the person (``tracked_links.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from flask import current_app, request
from markupsafe import Markup

from . import kept_html
from .forms.common import NETWORK_LABELS
from .models import AmbassadorProfile
from .services import personal_feed, share_choices
from .services.networks import SHARE_SHEET
from .urls import tracked_url


def _why(suggestion: personal_feed.Suggestion, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names the card gives: the needs in their order, the topics alphabetically (as everywhere)."""
    return (tuple(need.label(language) for need in suggestion.needs),
            tuple(sorted((topic.label(language) for topic in suggestion.topics), key=str.casefold)))


CARD = "main/_card.html"


def cards(db, feed: personal_feed.Page, profile: AmbassadorProfile | None, language: str,
          csrf_token: str) -> list[Markup]:
    """The page's cards, each kept or rendered (and kept); the kits of the cards to render in one statement."""
    mine, _others = share_choices.profile_first(profile.networks if profile else [])
    networks = (*mine, SHARE_SHEET)
    instance = profile.mastodon_instance if profile else None
    link_base = current_app.config.get("BASE_URL") or request.host_url  # in the tracked links
    keys, made = [], []
    for position, suggestion in enumerate(feed.suggestions):
        content, why = suggestion.content, _why(suggestion, language)
        # The wordings are known by the content's revision (updated_at, moved by every save that
        # changes them); a tracked link never changes once made. The rest is keyed on its value.
        key = (link_base, feed.page, position == 0, networks, instance, content.id, content.updated_at,
               content.title, content.summary, content.image_sha256, content.highlighted, content.target_url, why)
        keys.append((key, why, position == 0))
        made.append(kept_html.find(CARD, key, csrf_token))
    missing = [suggestion.content.id for suggestion, card in zip(feed.suggestions, made, strict=True) if card is None]
    if missing:
        kits = share_choices.kits_for(db, missing)
        for n, (suggestion, (key, why, first)) in enumerate(zip(feed.suggestions, keys, strict=True)):
            if made[n] is None:
                made[n] = kept_html.render(CARD, key, csrf_token, partial(
                    _context, suggestion, kits[suggestion.content.id], why, networks, instance, feed.page, first))
    return [card for card in made if card is not None]


def _context(suggestion: personal_feed.Suggestion, kit: share_choices.ShareKit, why: tuple,
             networks: Iterable[str], instance: str | None, page: int, first: bool) -> dict:
    """What a card is rendered from, made only when it is not kept yet."""
    choices = share_choices.buttons(kit, suggestion.content.title, networks, link_url=tracked_url,
                                    mastodon_instance=instance)
    return {"suggestion": suggestion, "choices": choices, "need_labels": why[0], "topic_labels": why[1],
            "page": page, "first": first, "network_labels": NETWORK_LABELS, "sheet_network": SHARE_SHEET}
