"""Tracked links: resolve a code, tell people from link-preview fetchers, count.

This runs on every click, so it works on a bare Core ``Connection`` (no ORM
session, no user): one SELECT to resolve the code (cached for a few seconds
per process), and the count goes to the worker's ClickBuffer, the one path
by which clicks reach ``click_counts`` (see click_buffer).

What is kept is a counter per (link, day): never the visitor's IP address,
user agent or any cookie. The user agent is read once, here, to decide which
counter goes up, and then forgotten.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError

from ..models import ClickCount, Content, TrackedLink
from .click_buffer import ClickBuffer
from .sharing import campaign_url

# Codes are made by secrets.token_urlsafe (see tracked_links.CODE_BYTES) and stored
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


@dataclass(frozen=True)
class Link:
    """What a code leads to, as read from the database (and cached)."""

    id: int
    target_url: str
    tagged_url: str  # with the UTM parameters
    publish_at: datetime | None
    expires_at: datetime | None
    archived_at: datetime | None


class LinkCache:
    """Recently resolved codes, per process, for ``ttl`` seconds.

    Popular links are clicked in bursts; reading the same row again for each
    click cost more than counting it. Times are kept, not a status, so a
    content still goes live or expires exactly on time; only a curator's
    change (archiving, a new URL) takes up to ``ttl`` seconds to reach every
    worker. Unknown codes are not cached: guessing fills nothing.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float, clock=time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, Link]] = {}

    def get(self, code: str) -> Link | None:
        entry = self._entries.get(code)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, code: str, link: Link) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()  # simple and bounded; the hot codes come back at once
        self._entries[code] = (self._clock() + self.ttl, link)


def classify(user_agent: str | None) -> Kind:
    """A person's click, or a link-preview fetcher (and other robots)."""
    agent = (user_agent or "").lower()
    if any(token in agent for token in PREVIEW_AGENTS) or GENERIC_BOT.search(agent):
        return Kind.PREVIEW
    return Kind.CLICK


# Built once: this runs on every click, and building a statement costs more
# than SQLite takes to run it. Only the bound values change per request.
_READ_LINK = (
    select(TrackedLink.id, TrackedLink.network, Content.slug, Content.target_url, Content.publish_at,
           Content.expires_at, Content.archived_at)
    .join(Content, Content.id == TrackedLink.content_id)
    .where(TrackedLink.code == bindparam("code"))
)


def _read_link(connection: Connection, code: str) -> Link | None:
    row = connection.execute(_READ_LINK, {"code": code}).first()
    if row is None:
        return None
    return Link(row.id, row.target_url, campaign_url(row.target_url, row.network, row.slug),
                row.publish_at, row.expires_at, row.archived_at)


def resolve(connection: Connection, code: str, now: datetime, *, utm: bool,
            cache: LinkCache | None = None) -> Resolved:
    """Where the link with this exact code leads at ``now``, if anywhere.

    The target is always the stored content's URL (tagged with UTM
    parameters when ``utm``), never anything from the request, and only an
    http(s) URL with a host: a tracked link can never be an open redirect.
    """
    if not CODE_PATTERN.fullmatch(code):
        return NOT_FOUND
    link = cache.get(code) if cache else None
    if link is None:
        link = _read_link(connection, code)
        if link is None:
            return NOT_FOUND
        if cache:
            cache.put(code, link)
    return _outcome(link, now, utm=utm)


def _outcome(link: Link, now: datetime, *, utm: bool) -> Resolved:
    if link.publish_at is None or link.publish_at > now:
        return NOT_FOUND  # nobody could have shared it yet
    if link.archived_at is not None or (link.expires_at is not None and link.expires_at <= now):
        return Resolved(Outcome.GONE)
    target = urlsplit(link.target_url)
    if target.scheme not in ("http", "https") or not target.hostname:
        return NOT_FOUND
    return Resolved(Outcome.LIVE, link.id, link.tagged_url if utm else link.target_url)


# How the engine of tracked links is made (see blueprints.links.mount):
# autocommit, and no ping before each use. It only reads (clicks are written
# by the ClickBuffer's own engine): one SELECT needs no transaction around
# it, and with autocommit there is nothing to roll back when a connection
# goes back to the pool. The ping would double the round trips of an
# uncached click on PostgreSQL; instead ``follow`` tries once more when the
# connection turns out to be dead.
ENGINE_OPTIONS = {"isolation_level": "AUTOCOMMIT", "pool_pre_ping": False, "pool_reset_on_return": None}


def follow(engine: Engine, code: str, now: datetime, *, counted: bool, user_agent: str | None, utm: bool,
           buffer: ClickBuffer, cache: LinkCache | None = None) -> Resolved:
    """Resolve a code and, when ``counted`` and the link is live, count the visit
    in ``buffer`` (written within seconds, see click_buffer)."""
    kind = classify(user_agent)
    cached = cache.get(code) if cache and CODE_PATTERN.fullmatch(code) else None
    if cached is not None:  # the usual click: no database at all
        resolved = _outcome(cached, now, utm=utm)
        if counted and resolved.outcome is Outcome.LIVE and resolved.link_id is not None:
            buffer.add(resolved.link_id, now.date(), kind is Kind.PREVIEW)  # UTC day
        return resolved
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                resolved = resolve(connection, code, now, utm=utm, cache=cache)
            break
        except DBAPIError as error:
            # A connection the database had closed (restart, idle timeout):
            # the pool has dropped it, and the statement failed on sending,
            # so it is sent again on a fresh connection. Any other error is
            # the caller's (a 500 page; the visitor can click again).
            if not error.connection_invalidated or attempt == 2:
                raise
    if counted and resolved.outcome is Outcome.LIVE and resolved.link_id is not None:
        buffer.add(resolved.link_id, now.date(), kind is Kind.PREVIEW)  # UTC day
    return resolved


def totals(connection: Connection, link_id: int) -> tuple[int, int]:
    """(clicks, previews) of one link over all days."""
    rows = connection.execute(
        select(ClickCount.clicks, ClickCount.previews).where(ClickCount.link_id == link_id)).all()
    return sum(r.clicks for r in rows), sum(r.previews for r in rows)
