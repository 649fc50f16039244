"""Feed ingestion: fetch and parse off the database, then write one feed per transaction.

Fetching and parsing happen in worker threads that never touch the database
(``fetch_outcomes``); the caller applies each outcome in its own thread and
commits once per feed (``apply_outcome``), so one broken feed never stops the
others and SQLite only ever sees one writer.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import content_feeds
from content_feeds import FeedError, FetchResult, FetchSettings, ParsedFeed
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import insert_for
from ..models import Feed, FeedItem, ItemStatus, utcnow
from . import sample_feeds

MAX_BACKOFF = timedelta(hours=24)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestSettings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    max_errors: int = 10
    workers: int = 4
    per_host: int = 2
    batch_size: int = 50

    @classmethod
    def from_config(cls, config) -> IngestSettings:
        networks = config.get("FEED_ALLOWED_NETWORKS") or ()
        if isinstance(networks, str):
            networks = [part for part in networks.replace(",", " ").split() if part]
        fetch = FetchSettings(
            max_bytes=int(config["FEED_MAX_BYTES"]),
            user_agent=config["FEED_USER_AGENT"],
            allowed_networks=tuple(ipaddress.ip_network(n, strict=False) for n in networks),
        )
        return cls(
            fetch=fetch, max_errors=int(config["FEED_MAX_ERRORS"]),
            workers=int(config["FEED_WORKERS"]), per_host=int(config["FEED_PER_HOST"]),
            batch_size=int(config["FEED_BATCH_SIZE"]),
        )


@dataclass(frozen=True)
class FeedRequest:
    """What a worker needs to fetch one feed, detached from any session."""

    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None

    @classmethod
    def of(cls, feed: Feed) -> FeedRequest:
        return cls(feed.id, feed.url, feed.etag, feed.last_modified)


@dataclass
class Outcome:
    request: FeedRequest
    fetched_at: datetime
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: FeedError | None = None


@dataclass
class Report:
    feed_id: int
    new_items: int = 0
    updated_items: int = 0
    not_modified: bool = False
    error: FeedError | None = None
    disabled: bool = False


# --- off the database ---------------------------------------------------------

def fetch_one(request: FeedRequest, settings: FetchSettings) -> Outcome:
    """Fetch and parse one feed. Never raises for a feed's own failures."""
    outcome = Outcome(request, fetched_at=utcnow())
    try:
        if sample_feeds.is_sample(request.url):
            outcome.result = sample_feeds.fetch(request.url)
        else:
            outcome.result = content_feeds.fetch_feed(
                request.url, etag=request.etag, last_modified=request.last_modified, settings=settings
            )
        if not outcome.result.not_modified:
            outcome.parsed = content_feeds.parse_feed(
                outcome.result.body, url=outcome.result.url,
                content_type=outcome.result.content_type, fetched_at=outcome.fetched_at,
            )
            outcome.result = replace(outcome.result, body=b"")  # the entries are all we keep
    except FeedError as error:
        outcome.error = error
    except Exception:  # a bug or an input nobody foresaw: this feed fails, not the run
        log.exception("unexpected error while reading %s", request.url)
        outcome.error = FeedError()
    return outcome


def fetch_outcomes(requests: Iterable[FeedRequest], settings: IngestSettings) -> Iterator[Outcome]:
    """Fetch feeds in parallel (``workers`` threads, at most ``per_host`` per host)."""
    host_slots: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(settings.per_host))
    slots_lock = threading.Lock()

    def work(request: FeedRequest) -> Outcome:
        with slots_lock:
            slot = host_slots[urlsplit(request.url).hostname or ""]
        with slot:
            return fetch_one(request, settings.fetch)

    with ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="feed-fetch") as pool:
        futures = [pool.submit(work, request) for request in requests]
        for future in as_completed(futures):
            yield future.result()


# --- on the database ----------------------------------------------------------

def due_feeds(session: Session, now: datetime, limit: int) -> list[Feed]:
    return list(session.scalars(
        select(Feed).where(Feed.enabled, Feed.next_check_at <= now)
        .order_by(Feed.next_check_at, Feed.id).limit(limit)
    ))


def apply_outcome(session: Session, outcome: Outcome, settings: IngestSettings) -> Report:
    """Write one feed's outcome: items and health. The caller commits."""
    feed = session.get(Feed, outcome.request.feed_id)
    report = Report(outcome.request.feed_id)
    if feed is None:  # deleted while it was being fetched
        return report
    now = outcome.fetched_at
    feed.last_checked_at = now
    if outcome.error is not None:
        report.error = outcome.error
        report.disabled = _record_failure(feed, outcome.error, settings, now)
        return report
    result = outcome.result
    if result.permanent_url and result.permanent_url != feed.url:
        _move_feed(session, feed, result.permanent_url)
    if result.not_modified:
        report.not_modified = True
    else:
        feed.etag, feed.last_modified = result.etag, result.last_modified
        parsed = outcome.parsed
        feed.title = feed.title or parsed.title[:500]
        feed.site_url = feed.site_url or parsed.site_url
        report.new_items, report.updated_items = store_entries(session, feed.id, parsed.entries, now)
    _record_success(feed, now)
    return report


def _move_feed(session: Session, feed: Feed, new_url: str) -> None:
    # A permanent redirect updates the stored URL, unless another feed already
    # has that URL (then both would poll the same feed; keep the old one).
    taken = session.scalar(select(Feed.id).where(Feed.url == new_url, Feed.id != feed.id))
    if taken is None:
        feed.url = new_url


def _record_success(feed: Feed, now: datetime) -> None:
    feed.last_success_at = now
    feed.consecutive_errors = 0
    feed.last_error_code = None
    feed.last_error_params = None
    feed.next_check_at = now + timedelta(minutes=feed.interval_minutes)


def _record_failure(feed: Feed, error: FeedError, settings: IngestSettings, now: datetime) -> bool:
    """Back off (interval × 2^errors, at most 24 h, never before Retry-After); maybe disable."""
    feed.consecutive_errors += 1
    feed.last_error_code = error.code
    feed.last_error_params = _json_safe(getattr(error, "params", {}) or {})
    feed.last_error_at = now
    delay = min(timedelta(minutes=feed.interval_minutes) * 2 ** feed.consecutive_errors, MAX_BACKOFF)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    feed.next_check_at = now + delay
    if isinstance(error, content_feeds.GoneError) or feed.consecutive_errors >= settings.max_errors:
        feed.enabled = False
        feed.disabled_reason = "gone" if isinstance(error, content_feeds.GoneError) else "errors"
        return True
    return False


def _json_safe(params: dict) -> dict:
    return {key: value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
            for key, value in params.items()}


def _item_values(feed_id: int, entry, now: datetime) -> dict:
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


def store_entries(session: Session, feed_id: int, entries, now: datetime) -> tuple[int, int]:
    """Insert new entries as 'new'; refresh known ones only while nobody curated them.

    Returns (new, updated). Safe when two ingests of one feed run at once:
    the unique (feed, dedupe key) constraint and ON CONFLICT DO NOTHING make
    the second insert of an entry a no-op instead of a duplicate.
    """
    rows: dict[str, dict] = {}
    for entry in entries:
        rows.setdefault(entry.dedupe_key, _item_values(feed_id, entry, now))
    if not rows:
        return 0, 0
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
        values = {name: rows[key][name] for name in UPDATABLE}
        if all(getattr(existing, name) == value for name, value in values.items()):
            continue
        updated += session.execute(
            update(FeedItem).where(FeedItem.id == existing.id, FeedItem.status == ItemStatus.NEW)
            .values(**values)
        ).rowcount
    return len(fresh), updated
