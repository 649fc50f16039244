"""Feed refresh: the one way feeds are read and stored.

``refresh_feeds`` is called by everything that refreshes feeds: the
scheduler, the ``advocacy feeds`` commands, a curator adding a feed and the
demo loader. It fetches and parses in worker threads that never touch the
database, and writes each feed's result in the calling thread, in a short
transaction of its own that it commits at once: no database connection waits
on the network, one broken feed never stops the others, and SQLite only ever
sees one writer.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

import content_feeds
from content_feeds import FeedError, FetchResult, FetchSettings, ParsedFeed

from ..models import Feed, utcnow
from . import sample_feeds
from .images import ImageSettings, copy_feed_images
from .ingest_store import store_entries

MAX_BACKOFF = timedelta(hours=24)
# The setting that lets private addresses be fetched; an admin's refusal message names it (messages.py).
ALLOWED_NETWORKS_SETTING = "FEED_ALLOWED_NETWORKS"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSettings:
    """Every feed setting, typed. ``from_config`` is the only reader of the FEED_* keys."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    min_interval: int = 10  # minutes
    max_errors: int = 10
    workers: int = 4
    per_host: int = 2
    batch_size: int = 50
    images: ImageSettings = field(default_factory=ImageSettings)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FeedSettings:
        networks = config.get(ALLOWED_NETWORKS_SETTING) or ()
        if isinstance(networks, str):
            networks = [part for part in networks.replace(",", " ").split() if part]
        fetch = FetchSettings(
            max_bytes=int(config["FEED_MAX_BYTES"]),
            user_agent=config["FEED_USER_AGENT"],
            allowed_networks=tuple(ipaddress.ip_network(n, strict=True) for n in networks),
        )
        # Images: the same guard and allow-list, a smaller cap and a shorter deadline.
        images = ImageSettings(
            fetch=replace(ImageSettings().fetch, user_agent=fetch.user_agent,
                          allowed_networks=fetch.allowed_networks, max_bytes=int(config["FEED_IMAGE_MAX_BYTES"])),
            per_refresh=int(config["FEED_IMAGES_PER_REFRESH"]),
        )
        return cls(
            fetch=fetch, min_interval=int(config["FEED_MIN_INTERVAL"]), max_errors=int(config["FEED_MAX_ERRORS"]),
            workers=int(config["FEED_WORKERS"]), per_host=int(config["FEED_PER_HOST"]),
            batch_size=int(config["FEED_BATCH_SIZE"]), images=images,
        )


@dataclass(frozen=True)
class FeedRequest:
    """What a worker needs to fetch one feed, detached from any session.

    ``feed_id`` None is a feed being added: it is stored, checked every
    ``interval`` minutes, only if its first fetch works and its final address
    is not already another feed's.
    """

    feed_id: int | None
    url: str
    etag: str | None = None
    last_modified: str | None = None
    interval: int | None = None

    @classmethod
    def of(cls, feed: Feed) -> FeedRequest:
        return cls(feed.id, feed.url, feed.etag, feed.last_modified)

    @classmethod
    def new(cls, url: str, interval: int) -> FeedRequest:
        return cls(None, url, interval=interval)


@dataclass
class Outcome:
    request: FeedRequest
    fetched_at: datetime
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: FeedError | None = None


@dataclass
class Report:
    feed_id: int | None  # None: a feed being added that was not stored
    new_items: int = 0
    updated_items: int = 0
    not_modified: bool = False
    error: FeedError | None = None
    disabled: bool = False
    # A feed being added whose final address (after permanent redirects) is
    # already another feed's: not stored.
    duplicate_url: str | None = None


def refresh_feeds(
    session: Session, requests: Iterable[FeedRequest], settings: FeedSettings,
    on_done: Callable[[Report], None] | None = None,
) -> list[Report]:
    """Fetch the feeds, then write each one's result and commit it; one report per feed.

    Transactions: this function commits what it writes; callers never commit
    for it. It first commits the session, ending the transaction its caller
    had open (whatever the caller wrote before is committed with it), so that
    no connection is held while the feeds are fetched; then each feed is
    written and committed as soon as its fetch is done (``commit_outcome``).
    A failure, of the fetch or of the writing, is recorded on that feed and
    never stops the others. ``on_done`` is called after each feed is committed.
    Then the images of the feeds that were read are copied, the same way
    (``images.copy_feed_images``: a few per feed, committed).
    """
    requests = list(requests)  # before the commit: they may still be read from this session
    session.commit()
    reports = []
    for outcome in fetch_outcomes(requests, settings):
        report = commit_outcome(session, outcome, settings)
        reports.append(report)
        if on_done is not None:
            on_done(report)
    read = [report.feed_id for report in reports if report.feed_id is not None and report.error is None]
    copy_feed_images(session, read, settings.images, utcnow(), settings.workers, settings.per_host)
    return reports


# --- off the database ---------------------------------------------------------

def fetch_one(request: FeedRequest, settings: FetchSettings) -> Outcome:
    """Fetch and parse one feed. Never raises for a feed's own failures."""
    return parse_fetched(fetch_body(request, settings))


def fetch_body(request: FeedRequest, settings: FetchSettings) -> Outcome:
    """Fetch one feed, not parsed yet. Never raises for a feed's own failures."""
    outcome = Outcome(request, fetched_at=utcnow())
    try:
        if sample_feeds.is_sample(request.url):
            outcome.result = sample_feeds.fetch(request.url)
        else:
            outcome.result = content_feeds.fetch_feed(
                request.url, etag=request.etag, last_modified=request.last_modified, settings=settings
            )
    except FeedError as error:
        outcome.error = error
    except Exception:  # a bug or an input nobody foresaw: this feed fails, not the run
        log.exception("unexpected error while reading %s", request.url)
        outcome.error = FeedError()
    return outcome


def parse_fetched(outcome: Outcome) -> Outcome:
    """Parse the body that ``fetch_body`` brought, then let it go. Never raises for a feed's own failures."""
    if outcome.error is not None or outcome.result is None or outcome.result.not_modified:
        return outcome
    try:
        outcome.parsed = content_feeds.parse_feed(
            outcome.result.body, url=outcome.result.url,
            content_type=outcome.result.content_type, fetched_at=outcome.fetched_at,
        )
        outcome.result = replace(outcome.result, body=b"")  # the entries are all we keep
    except FeedError as error:
        outcome.error = error
    except Exception:  # a bug or an input nobody foresaw: this feed fails, not the run
        log.exception("unexpected error while reading %s", outcome.request.url)
        outcome.error = FeedError()
    return outcome


def fetch_outcomes(requests: Iterable[FeedRequest], settings: FeedSettings) -> Iterator[Outcome]:
    """Fetch feeds in parallel (``workers`` threads, at most ``per_host`` per host), parse them one by one.

    The threads only fetch; the bodies are parsed here, in the caller's
    thread, as they arrive. Parsing is pure Python: threads parsing at once
    share one GIL, so they were never faster, and on a busy machine each
    hand-over of the GIL waits for the OS to schedule the next thread (a
    refresh took three times its CPU time). At most ``workers`` fetched
    bodies wait for their parse, so fast fetches never pile up in memory.
    """
    host_slots: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(settings.per_host))
    slots_lock = threading.Lock()
    waiting = threading.Semaphore(settings.workers)  # fetched bodies not parsed yet
    stop = threading.Event()  # the caller stopped reading: workers must not wait for room any more

    def work(request: FeedRequest) -> Outcome | None:
        while not waiting.acquire(timeout=0.2):
            if stop.is_set():
                return None
        with slots_lock:
            slot = host_slots[urlsplit(request.url).hostname or ""]
        with slot:
            return fetch_body(request, settings.fetch)

    with ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="feed-fetch") as pool:
        try:
            futures = [pool.submit(work, request) for request in requests]
            for future in as_completed(futures):
                fetched = future.result()
                assert fetched is not None  # only a stopped run gives None, and nobody reads it then
                outcome = parse_fetched(fetched)
                waiting.release()
                yield outcome
        finally:
            stop.set()


# --- on the database ----------------------------------------------------------

def due_feeds(session: Session, now: datetime, limit: int) -> list[Feed]:
    return list(session.scalars(
        select(Feed).where(Feed.enabled, Feed.next_check_at <= now)
        .order_by(Feed.next_check_at, Feed.id).limit(limit)
    ))


def commit_outcome(session: Session, outcome: Outcome, settings: FeedSettings) -> Report:
    """Write one feed's outcome in its own transaction and commit it.

    If writing fails (a database error, or a bug), that transaction is rolled
    back and the feed is recorded as failing instead, so it backs off like a
    feed that could not be fetched rather than failing again every minute.
    """
    failed = replace(outcome, result=None, parsed=None, error=FeedError())
    for attempt in (outcome, failed):
        try:
            report = apply_outcome(session, attempt, settings)
            session.commit()
            return report
        except Exception:
            session.rollback()
            log.exception("could not store feed %s", outcome.request.url)
    return Report(outcome.request.feed_id, error=failed.error)


def apply_outcome(session: Session, outcome: Outcome, settings: FeedSettings) -> Report:
    """Write one feed's outcome: items and health. Does not commit (``commit_outcome`` does)."""
    report = Report(outcome.request.feed_id)
    if outcome.request.feed_id is None:
        feed = _add_feed(session, outcome, report)
    else:
        feed = session.get(Feed, outcome.request.feed_id)
    if feed is None:  # deleted while it was being fetched, or a new feed not stored
        return report
    now = outcome.fetched_at
    feed.last_checked_at = now
    if outcome.error is not None:
        report.error = outcome.error
        report.disabled = _record_failure(feed, outcome.error, settings, now)
        return report
    result, parsed = outcome.result, outcome.parsed
    assert result is not None  # a fetch without an error has a result (and a body, unless 304)
    if result.permanent_url and result.permanent_url != feed.url:
        _move_feed(session, feed, result.permanent_url)
    if result.not_modified:
        report.not_modified = True
    else:
        assert parsed is not None
        feed.etag, feed.last_modified = result.etag, result.last_modified
        feed.title = feed.title or parsed.title[:500]
        feed.site_url = feed.site_url or parsed.site_url
        report.new_items, report.updated_items = store_entries(session, feed.id, parsed.entries, now)
    _record_success(feed, now)
    return report


def _add_feed(session: Session, outcome: Outcome, report: Report) -> Feed | None:
    # A feed being added is stored only once it has been read, under its
    # final address: a failure stores nothing, so the curator can correct
    # the address they typed.
    if outcome.error is not None:
        report.error = outcome.error
        return None
    assert outcome.result is not None  # no error: the fetch has a result
    url = outcome.result.permanent_url or outcome.request.url
    if session.scalar(select(Feed.id).where(Feed.url == url)) is not None:
        report.duplicate_url = url
        return None
    feed = Feed(url=url, interval_minutes=outcome.request.interval)
    session.add(feed)
    session.flush()
    report.feed_id = feed.id
    return feed


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


def _record_failure(feed: Feed, error: FeedError, settings: FeedSettings, now: datetime) -> bool:
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
