"""Entries written a chunk at a time store the same rows as written at once.

A generated feed with repeated entries, missing GUIDs and dates and relative
links is stored by two feeds, one with a chunk of 7 entries (many rounds),
one with a chunk larger than the feed (one round, as before chunks); then an
edited version of the feed (new entries, changed titles, one curated item)
is stored over both. Both feeds must hold the same rows, with the same
counts reported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from advocacy.models import Feed, FeedItem, ItemStatus, utcnow
from advocacy.services import ingest_store
from content_feeds import parse_feed

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "feed_generator.py"
COMPARED = ("dedupe_key", "guid", "title", "link", "published_at", "updated_at", "summary_html", "content_html",
            "excerpt", "image_url", "categories", "author", "status", "first_seen_at")


def generated_entries():
    spec = importlib.util.spec_from_file_location("feed_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    body = generator.feed_document(11, 120, "rss", "windows-1252", body_chars=500, duplicates=0.1)
    return parse_feed(body, url="https://news.example.org/feed.xml", fetched_at=utcnow()).entries


def rows(db, feed_id):
    items = db.scalars(select(FeedItem).where(FeedItem.feed_id == feed_id).order_by(FeedItem.id))
    return [tuple(getattr(item, name) for name in COMPARED) for item in items]


def test_chunked_writes_store_the_rows_one_write_stores(db):
    entries = generated_entries()
    assert len(entries) > 100 and any(e.guid is None for e in entries)
    feeds = [Feed(url="https://news.example.org/a.xml"), Feed(url="https://news.example.org/b.xml")]
    db.add_all(feeds)
    db.commit()
    small, whole = feeds
    now = utcnow()
    # The feed's list with an entry repeated: stored once, the first one kept.
    listed = [*entries, replace(entries[3], title="a later copy")]
    first = [ingest_store.store_entries(db, feed.id, listed, now, chunk=chunk)
             for feed, chunk in ((small, 7), (whole, 10_000))]
    db.commit()
    assert first == [(len(entries), 0)] * 2
    assert rows(db, small.id) == rows(db, whole.id)
    assert [row[0] for row in rows(db, small.id)] == [e.dedupe_key for e in entries]  # the feed's order

    curated = entries[5].dedupe_key
    for feed in feeds:
        db.scalar(select(FeedItem).where(FeedItem.feed_id == feed.id, FeedItem.dedupe_key == curated)
                  ).status = ItemStatus.SKIPPED
    db.commit()
    edited = [replace(e, title=f"{e.title} (edited)") if n % 4 == 1 else e for n, e in enumerate(entries)]
    extra = [replace(e, dedupe_key=f"{e.dedupe_key}#new", guid=None) for e in entries[:20]]
    later = now + timedelta(hours=1)
    second = [ingest_store.store_entries(db, feed.id, [*extra, *edited], later, chunk=chunk)
              for feed, chunk in ((small, 7), (whole, 10_000))]
    db.commit()
    db.expire_all()
    changed_uncurated = sum(1 for n, e in enumerate(entries) if n % 4 == 1 and e.dedupe_key != curated)
    assert second == [(20, changed_uncurated)] * 2
    assert rows(db, small.id) == rows(db, whole.id)
    stored = {row[0]: row for row in rows(db, small.id)}
    assert stored[curated][2] == entries[5].title and stored[entries[1].dedupe_key][2].endswith("(edited)")
