"""A feed's entries written as queue items (``feed_items``): new ones inserted, known ones refreshed
while nobody has curated them, in rounds of a bounded size.

Called by ``ingest.apply_outcome`` for each parsed feed; the fetching, parsing
and the feed's health are ``ingest``'s.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import changed_rows, insert_for
from ..models import FeedItem, ItemStatus


def _item_values(feed_id: int, entry) -> dict:
    return {
        "feed_id": feed_id,
        "dedupe_key": entry.dedupe_key,
        "guid": entry.guid,
        "title": entry.title,
        "link": entry.link,
        "published_at": entry.published,
        "updated_at": entry.updated,
        "summary_html": entry.summary_html,
        "content_html": entry.content_html,
        "excerpt": entry.excerpt,
        "image_url": entry.image_url,
        "categories": list(entry.categories),
        "author": entry.author,
    }


UPDATABLE = ("guid", "title", "link", "published_at", "updated_at", "summary_html",
             "content_html", "excerpt", "image_url", "categories", "author")
# An entry the feed gives no date keeps the dates of its first fetch: each
# fetch would otherwise stamp it anew and count it as edited every time.
UPDATABLE_UNDATED = tuple(name for name in UPDATABLE if name not in ("published_at", "updated_at"))


# Entries written per round: one SELECT of the known ones and one multi-row
# INSERT of the new ones each, so that a large feed's round trips stay few
# while its parameters stay under SQLite's bound and its rows in memory few.
STORE_CHUNK = 500


def store_entries(session: Session, feed_id: int, entries, now: datetime,
                  chunk: int = STORE_CHUNK) -> tuple[int, int]:
    """Insert new entries as 'new'; refresh known ones only while nobody curated them.

    Returns (new, updated). Entries are written ``chunk`` at a time, in
    their order (an entry whose key came earlier in the feed is left out).
    Safe when two ingests of one feed run at once: the unique (feed, dedupe
    key) constraint and ON CONFLICT DO NOTHING make the second insert of an
    entry a no-op instead of a duplicate.
    """
    seen: set[str] = set()
    undated: set[str] = set()
    batch: dict[str, dict] = {}
    new = updated = 0
    for entry in entries:
        if entry.dedupe_key in seen:
            continue
        seen.add(entry.dedupe_key)
        batch[entry.dedupe_key] = _item_values(feed_id, entry)
        if not entry.dated:
            undated.add(entry.dedupe_key)
        if len(batch) >= chunk:
            counts = _store_batch(session, feed_id, batch, now, undated)
            new, updated, batch = new + counts[0], updated + counts[1], {}
    if batch:
        counts = _store_batch(session, feed_id, batch, now, undated)
        new, updated = new + counts[0], updated + counts[1]
    return new, updated


def _store_batch(session: Session, feed_id: int, rows: dict[str, dict], now: datetime,
                 undated: set[str]) -> tuple[int, int]:
    known = {
        row.dedupe_key: row
        for row in session.execute(
            select(FeedItem.id, FeedItem.dedupe_key, FeedItem.status, *(getattr(FeedItem, n) for n in UPDATABLE))
            .where(FeedItem.feed_id == feed_id, FeedItem.dedupe_key.in_(list(rows)))
        )
    }
    fresh = [{**row, "status": ItemStatus.NEW.value, "first_seen_at": now}
             for key, row in rows.items() if key not in known]
    if fresh:
        session.execute(
            insert_for(session)(FeedItem.__table__).on_conflict_do_nothing(index_elements=["feed_id", "dedupe_key"]),
            fresh,
        )
    updated = 0
    for key, existing in known.items():
        if existing.status != ItemStatus.NEW:
            continue  # a curator has decided on it: the feed no longer changes it
        values = {name: rows[key][name] for name in (UPDATABLE_UNDATED if key in undated else UPDATABLE)}
        if all(getattr(existing, name) == value for name, value in values.items()):
            continue
        if values["image_url"] != existing.image_url:  # a new picture: its copy is still to make
            values |= {"image_sha256": None, "image_checked_at": None}
        updated += changed_rows(session,
            update(FeedItem).where(FeedItem.id == existing.id, FeedItem.status == ItemStatus.NEW)
            .values(**values)
        )
    return len(fresh), updated
