"""What a share button carries: the wording for its network and the network's tracked link.

Used by the personal feed's cards (one direct button per network of the
person's profile) and by the share panel (every network), so both offer the
same text and link. A network the editor wrote no wording for borrows the
nearest network's (``NEAREST``: an X wording suits Bluesky and Mastodon);
only when none of those has one is the content's title used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from ..models import Content, ShareText, TrackedLink
from .networks import LINK_NETWORKS, NETWORKS, SHARE_SHEET
from .sharing import share_page_url

# Where a network without its own wording borrows one, nearest first: a
# network of about the same length and tone. WhatsApp is a short personal
# message (as a post on X); an e-mail and a LinkedIn post are both longer and
# addressed to colleagues. The share sheet goes to any app: the short X
# wording fits the most of them.
NEAREST: dict[str, tuple[str, ...]] = {
    "x": ("bluesky", "mastodon"),
    "bluesky": ("x", "mastodon"),
    "mastodon": ("x", "bluesky"),
    "linkedin": ("email", "x"),
    "whatsapp": ("x", "bluesky", "mastodon"),
    "email": ("linkedin", "x"),
    SHARE_SHEET: ("x", "bluesky", "mastodon", "whatsapp"),
}


def wordings(texts: Mapping[str, list[str]], network: str, title: str) -> list[str]:
    """The network's own wordings, else the nearest network's, else the title alone."""
    for source in (network, *NEAREST.get(network, ())):
        if texts.get(source):
            return list(texts[source])
    return [title]


@dataclass
class ShareKit:
    """A content's tracked link codes and wordings, by network."""

    codes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)


def kit_of(content: Content, links: Mapping[str, TrackedLink]) -> ShareKit:
    """The kit of a content whose texts are loaded already (the share panel)."""
    texts = {network: content.texts_for(network) for network in NETWORKS}
    return ShareKit({network: link.code for network, link in links.items()},
                    {network: found for network, found in texts.items() if found})


def _kits_statement():
    content_ids = bindparam("content_ids", expanding=True)
    links = select(TrackedLink.content_id, literal("link").label("kind"), TrackedLink.network,
                   TrackedLink.code.label("value"), literal(0).label("position")
                   ).where(TrackedLink.content_id.in_(content_ids))
    texts = select(ShareText.content_id, literal("text").label("kind"), ShareText.network,
                   ShareText.text.label("value"), ShareText.position
                   ).where(ShareText.content_id.in_(content_ids))
    return union_all(links, texts).order_by("content_id", "kind", "network", "position")


# Read by every feed page: built once per process, not per request (building it cost more than running it).
_KITS = _kits_statement()


def kits_for(session: Session, content_ids: list[int]) -> dict[int, ShareKit]:
    """The kits of a page of contents, links and wordings together, in ONE statement."""
    kits: dict[int, ShareKit] = {content_id: ShareKit() for content_id in content_ids}
    if not content_ids:
        return kits
    rows = session.execute(_KITS, {"content_ids": content_ids})
    for content_id, kind, network, value, _position in rows:
        kit = kits[content_id]
        if kind == "link":
            kit.codes[network] = value
        else:
            kit.texts.setdefault(network, []).append(value)
    return kits


def profile_first(chosen: Iterable[str]) -> tuple[list[str], list[str]]:
    """The networks of the profile (in the usual order), then the others."""
    mine = [network for network in NETWORKS if network in set(chosen)]
    return mine, [network for network in NETWORKS if network not in mine]


@dataclass
class ShareButton:
    network: str
    wordings: list[str]
    link_url: str
    page_url: str | None  # None: Mastodon with no server said yet

    @property
    def text(self) -> str:
        return self.wordings[0]


def button(kit: ShareKit, title: str, network: str, *, link_url: Callable[[str], str],
           mastodon_instance: str | None) -> ShareButton:
    """The network's compose page with the first wording and the network's tracked link."""
    variants = wordings(kit.texts, network, title)
    url = link_url(kit.codes[network])
    page_url = None
    if network == SHARE_SHEET:
        page_url = url  # the device's sheet gets the text and the link itself
    elif network != "mastodon" or mastodon_instance:
        page_url = share_page_url(network, variants[0], url, subject=title, mastodon_instance=mastodon_instance)
    return ShareButton(network, variants, url, page_url)


def buttons(kit: ShareKit, title: str, networks: Iterable[str], *, link_url: Callable[[str], str],
            mastodon_instance: str | None) -> dict[str, ShareButton]:
    return {network: button(kit, title, network, link_url=link_url, mastodon_instance=mastodon_instance)
            for network in networks if network in LINK_NETWORKS}
