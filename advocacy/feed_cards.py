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


def cards(db, feed: personal_feed.Page, profile: AmbassadorProfile | None, language: str,
          csrf_token: str) -> list[Markup]:
    """The page's cards, each kept or rendered (and kept); one statement for the share buttons' kits."""
    mine, _others = share_choices.profile_first(profile.networks if profile else [])
    networks = (*mine, SHARE_SHEET)
    instance = profile.mastodon_instance if profile else None
    kits = share_choices.kits_for(db, [suggestion.content.id for suggestion in feed.suggestions])
    link_base = current_app.config.get("BASE_URL") or request.host_url  # in the tracked links
    made = []
    for position, suggestion in enumerate(feed.suggestions):
        content, kit, why = suggestion.content, kits[suggestion.content.id], _why(suggestion, language)
        first = position == 0
        key = (link_base, feed.page, first, networks, instance, content.id, content.title, content.summary,
               content.image_sha256, content.highlighted, content.target_url, why, kit.key())
        made.append(kept_html.render("main/_card.html", key, csrf_token, partial(
            _context, suggestion, kit, why, networks, instance, feed.page, first)))
    return made


def _context(suggestion: personal_feed.Suggestion, kit: share_choices.ShareKit, why: tuple,
             networks: Iterable[str], instance: str | None, page: int, first: bool) -> dict:
    """What a card is rendered from, made only when it is not kept yet."""
    choices = share_choices.buttons(kit, suggestion.content.title, networks, link_url=tracked_url,
                                    mastodon_instance=instance)
    return {"suggestion": suggestion, "choices": choices, "need_labels": why[0], "topic_labels": why[1],
            "page": page, "first": first, "network_labels": NETWORK_LABELS, "sheet_network": SHARE_SHEET}
