"""The curation queue: new feed items, newest first, and what curators do with them.

Pages are fetched by keyset ("seek") pagination on (published_at, id): the
next page starts strictly after the last item shown, so page 2,000 costs the
same as page 1, reading ``ix_feed_items_queue`` (status, published_at, id) or
``ix_feed_items_feed_queue`` when a feed is chosen. OFFSET would read and
throw away every earlier row. Text search (LIKE over title and excerpt) and
date bounds still walk that index in order, so they scan only the filtered
status/feed rows until a page is full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.orm import Session, defer, selectinload

from ..db import changed_rows
from ..models import FeedItem, ItemStatus
from ..models.base import MAX_ID
from . import taxonomy
from .contents import ContentDraft

PAGE_SIZE = 25
MAX_SKIP_REASON = 500


@dataclass(frozen=True)
class QueueFilter:
    status: ItemStatus = ItemStatus.NEW
    feed_id: int | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive
    search: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the (published_at, id) of its last item."""

    published_at: datetime
    id: int

    def encode(self) -> str:
        micros = int(self.published_at.timestamp() * 1_000_000)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """None for anything malformed: a bad link shows the first page."""
        try:
            micros, item_id = (value or "").split(".")
            moment = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
            return cls(moment, int(item_id))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass
class QueuePage:
    items: list[FeedItem]
    next_cursor: Cursor | None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def queue_query(filters: QueueFilter, after: Cursor | None = None, limit: int = PAGE_SIZE):
    """The SELECT for one page (exposed for the benchmark's EXPLAIN)."""
    query = select(FeedItem).where(FeedItem.status == filters.status)
    if filters.feed_id is not None:
        query = query.where(FeedItem.feed_id == filters.feed_id)
    if filters.since is not None:
        query = query.where(FeedItem.published_at >= filters.since)
    if filters.until is not None:
        query = query.where(FeedItem.published_at < filters.until)
    search = " ".join(filters.search.split())
    if search:
        pattern = _like_pattern(search)
        query = query.where(or_(FeedItem.title.ilike(pattern, escape="\\"),
                                FeedItem.excerpt.ilike(pattern, escape="\\")))
    if after is not None:
        # A row-value comparison both databases turn into an index range.
        query = query.where(tuple_(FeedItem.published_at, FeedItem.id) < tuple_(after.published_at, after.id))
    return query.order_by(FeedItem.published_at.desc(), FeedItem.id.desc()).limit(limit)


def queue_page(session: Session, filters: QueueFilter, after: Cursor | None = None,
               limit: int = PAGE_SIZE, *, load_feeds: bool = True) -> QueuePage:
    """One page of items. ``load_feeds=False`` when the session holds every feed already: each
    item then finds its feed in the identity map, without a statement."""
    # The full article (content_html) is not shown in the queue; a feed's can weigh tens of KB an item.
    query = queue_query(filters, after, limit + 1).options(defer(FeedItem.content_html))
    if load_feeds:
        query = query.options(selectinload(FeedItem.feed))
    rows = list(session.scalars(query))
    more = len(rows) > limit
    items = rows[:limit]
    last = items[-1] if more else None
    return QueuePage(items, Cursor(last.published_at, last.id) if last else None)


def _possible_ids(item_ids: Iterable[int]) -> list[int]:
    # A forged id past the INTEGER range matches no row, and on PostgreSQL
    # merely comparing it with the column is an error.
    return list({int(i) for i in item_ids if 0 < int(i) <= MAX_ID})


def skip(session: Session, item_ids: Iterable[int], reason: str | None, now: datetime) -> int:
    """Hide new items from the queue (they can be restored); returns how many."""
    ids = _possible_ids(item_ids)
    if not ids:
        return 0
    reason = (reason or "").strip()[:MAX_SKIP_REASON] or None
    return changed_rows(session,
        update(FeedItem).where(FeedItem.id.in_(ids), FeedItem.status == ItemStatus.NEW)
        .values(status=ItemStatus.SKIPPED, skip_reason=reason, curated_at=now)
    )


def restore(session: Session, item_ids: Iterable[int]) -> int:
    """Put skipped items back in the queue; returns how many."""
    ids = _possible_ids(item_ids)
    if not ids:
        return 0
    return changed_rows(session,
        update(FeedItem).where(FeedItem.id.in_(ids), FeedItem.status == ItemStatus.SKIPPED)
        .values(status=ItemStatus.NEW, skip_reason=None, curated_at=None)
    )


def draft_from_item(session: Session, item: FeedItem, now: datetime) -> ContentDraft:
    """What the editor opens with when a curator approves an item."""
    return ContentDraft(
        title=item.title[:300], summary=item.excerpt,
        # An image whose copy failed at ingest is left out (an item without one is fine);
        # one not tried yet is copied when the editor saves.
        image_url=item.image_url if item.image_sha256 or item.image_checked_at is None else None,
        image_sha256=item.image_sha256,
        target_url=item.link or "", publish_at=now,
        topic_ids=[t.id for t in taxonomy.suggested_topics(session, item.categories)],
    )
