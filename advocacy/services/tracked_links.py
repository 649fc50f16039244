"""Tracked links: one per (content, network), made with the content, then only read.

A link is the same for every ambassador, so a click can never be traced back
to who shared it (the codes carry nothing: random, URL-safe).

The links of a content are made in exactly one place: ``create_links``,
called by ``contents.create_content`` in the transaction that stores the
content, whatever made it (the curation editor, content written from no
feed, the demo data). Nothing makes them later: the share panel only reads,
so showing it never writes. Content older than this rule got its links from
the data migration 0013; a network added to ``LINK_NETWORKS`` later needs a
migration of the same kind for the content that exists by then (0021 did
so for the share sheet's "other").
"""

from __future__ import annotations

import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..models import TrackedLink
from .networks import LINK_NETWORKS

CODE_BYTES = 6  # 8 URL-safe characters: 2^48 codes, not guessable in practice


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def create_links(session: Session, content_id: int) -> None:
    """The content's links, one per network; the caller commits with the content."""
    session.add_all(TrackedLink(content_id=content_id, network=network, code=new_code()) for network in LINK_NETWORKS)
    session.flush()


# Read by every share panel: built once, not per request.
_LINKS_OF = select(TrackedLink).where(TrackedLink.content_id == bindparam("content_id"))


def links_of(session: Session, content_id: int) -> dict[str, TrackedLink]:
    """The content's links by network (reads only)."""
    return {link.network: link for link in session.scalars(_LINKS_OF, {"content_id": content_id})}
