"""Tracked links: resolve a code, tell people from link-preview fetchers, count.

This runs on every click, so it works on a bare Core ``Connection`` (no ORM
session, no user): one SELECT to resolve the code, one upsert to count.

What is kept is a counter per (link, day): never the visitor's IP address,
user agent or any cookie. The user agent is read once, here, to decide which
counter goes up, and then forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from urllib.parse import urlsplit

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from ..models import ClickCount, Content, TrackedLink
from .sharing import campaign_url

# Codes are made by secrets.token_urlsafe (see sharing.CODE_BYTES) and stored
# in a String(16): anything else is answered without touching the database.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")

# Link-preview fetchers of the networks we share to, then generic robots.
# Lower-cased substrings, matched against the lower-cased user agent.
PREVIEW_AGENTS = (
    "linkedinbot", "twitterbot", "facebookexternalhit", "facebot", "slackbot", "slack-imgproxy",
    "mastodon",  # "http.rb/5.1 (Mastodon/4.2; +https://instance/)"
    "cardyb",  # Bluesky's card fetcher: "Bluesky Cardyb/1.1"
    "whatsapp", "discordbot", "telegrambot",
    "crawler", "spider",
)
# "bot" as the end of a word (Googlebot, bingbot, "Bot/1.0"), but not a
# CUBOT phone model, whose browsers say so in their user agent.
GENERIC_BOT = re.compile(r"(?<!cu)bot\b")


class Kind(Enum):
    CLICK = "clicks"
    PREVIEW = "previews"


class Outcome(Enum):
    LIVE = "live"
    GONE = "gone"  # expired or archived: was shareable, is no longer
    NOT_FOUND = "not_found"  # unknown code, not yet published, or no usable target


@dataclass(frozen=True)
class Resolved:
    outcome: Outcome
    link_id: int | None = None
    location: str | None = None


NOT_FOUND = Resolved(Outcome.NOT_FOUND)


def classify(user_agent: str | None) -> Kind:
    """A person's click, or a link-preview fetcher (and other robots)."""
    agent = (user_agent or "").lower()
    if any(token in agent for token in PREVIEW_AGENTS) or GENERIC_BOT.search(agent):
        return Kind.PREVIEW
    return Kind.CLICK


def resolve(connection: Connection, code: str, now: datetime, *, utm: bool) -> Resolved:
    """Where the link with this exact code leads at ``now``, if anywhere.

    The target is always the stored content's URL (tagged with UTM
    parameters when ``utm``), never anything from the request, and only an
    http(s) URL with a host: a tracked link can never be an open redirect.
    """
    if not CODE_PATTERN.fullmatch(code):
        return NOT_FOUND
    row = connection.execute(
        select(TrackedLink.id, TrackedLink.network, Content.slug, Content.target_url, Content.publish_at,
               Content.expires_at, Content.archived_at)
        .join(Content, Content.id == TrackedLink.content_id)
        .where(TrackedLink.code == code)
    ).first()
    if row is None or row.publish_at is None or row.publish_at > now:
        return NOT_FOUND  # nobody could have shared it yet
    if row.archived_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return Resolved(Outcome.GONE)
    target = urlsplit(row.target_url)
    if target.scheme not in ("http", "https") or not target.hostname:
        return NOT_FOUND
    return Resolved(Outcome.LIVE, row.id, campaign_url(row.target_url, row.network, row.slug, utm=utm))


def count(connection: Connection, link_id: int, day: date, kind: Kind) -> None:
    """Add one to the link's counter of the day, in one atomic upsert.

    Starts the write transaction; the caller commits. On SQLite it is
    ``BEGIN IMMEDIATE``: the write lock is taken (waiting up to the busy
    timeout) before anything is read, so concurrent workers queue up instead
    of failing with "database is locked" on a stale snapshot.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    table = ClickCount.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    column = table.c[kind.value]
    statement = insert(table).values(
        link_id=link_id, day=day, clicks=int(kind is Kind.CLICK), previews=int(kind is Kind.PREVIEW),
    )
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.link_id, table.c.day], set_={kind.value: column + 1}))


def totals(connection: Connection, link_id: int) -> tuple[int, int]:
    """(clicks, previews) of one link over all days."""
    rows = connection.execute(
        select(ClickCount.clicks, ClickCount.previews).where(ClickCount.link_id == link_id)).all()
    return sum(r.clicks for r in rows), sum(r.previews for r in rows)
