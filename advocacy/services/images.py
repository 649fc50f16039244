"""Copies of feed and content images, so that Relais serves every image itself.

An ambassador's browser must never ask a publisher's host for anything: the
request would tell that host who reads what, and when. So an image address
(an item's, or one a curator typed) is fetched once by the server, through
the guarded fetcher, re-encoded without metadata (``content_feeds.images``),
stored content-addressed in ``images`` and served at ``/img/<sha256>.webp``.
Pages show the copy or nothing, never the address.

Feed images are copied after each refresh, like feeds are read: the items
still to copy are listed in one short transaction, fetched in worker threads
that never touch the database, and the results written in another short
transaction. At most ``per_refresh`` images per feed and refresh, newest
items first, so a feed of a thousand pictures, or the items stored before
images were copied, cost a few seconds a run and catch up over the next
ones. A failed image is recorded (``image_checked_at``) and not tried again:
an item without an image is fine.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import content_feeds
from content_feeds import CleanImage, FeedError, FetchSettings, ImageLimits
from content_feeds.images import DEFAULT_IMAGE_FETCH, EXTENSION

from ..db import insert_for
from ..models import Content, FeedItem, StoredImage
from . import sample_feeds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageSettings:
    fetch: FetchSettings = DEFAULT_IMAGE_FETCH
    limits: ImageLimits = field(default_factory=ImageLimits)
    per_refresh: int = 10  # images copied per feed and refresh, at most


@dataclass
class ImageOutcome:
    url: str
    item_ids: list[int]
    image: CleanImage | None = None
    error: FeedError | None = None


def file_name(sha256: str) -> str:
    """The name an image is served under, /img/<this>."""
    return f"{sha256}.{EXTENSION}"


# --- off the database ---------------------------------------------------------

def fetch_copy(url: str, settings: ImageSettings) -> CleanImage:
    """The image at ``url``, re-encoded; FeedError when it cannot be used. No database.

    The demo's images (under demo.relais.invalid, which never resolves) are
    drawn locally, so the demo shows pictures offline.
    """
    sample = sample_feeds.image(url)
    if sample is not None:
        return content_feeds.reencode(sample, settings.limits)
    return content_feeds.fetch_image(url, settings.fetch, settings.limits)


def _fetch_outcome(url: str, item_ids: list[int], settings: ImageSettings) -> ImageOutcome:
    outcome = ImageOutcome(url, item_ids)
    try:
        outcome.image = fetch_copy(url, settings)
    except FeedError as error:
        outcome.error = error
        log.info("image %s not copied: %s", url, error.code)
    except Exception:  # a bug or an input nobody foresaw: this image is skipped, not the run
        log.exception("unexpected error while copying the image %s", url)
        outcome.error = FeedError()
    return outcome


def fetch_copies(wanted: dict[str, list[int]], settings: ImageSettings, workers: int,
                 per_host: int) -> list[ImageOutcome]:
    """Fetch every wanted image in parallel, at most ``per_host`` at once from one host."""
    host_slots: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(per_host))
    slots_lock = threading.Lock()

    def work(url: str, item_ids: list[int]) -> ImageOutcome:
        with slots_lock:
            slot = host_slots[urlsplit(url).hostname or ""]
        with slot:
            return _fetch_outcome(url, item_ids, settings)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="image-fetch") as pool:
        return list(pool.map(lambda pair: work(*pair), wanted.items()))


# --- on the database ----------------------------------------------------------

def copy_feed_images(session: Session, feed_ids: Iterable[int], settings: ImageSettings, now: datetime,
                     workers: int = 4, per_host: int = 2) -> int:
    """Copy the images still to copy of these feeds' items; commits; returns how many were stored.

    Like ``ingest.refresh_feeds``, it commits what it writes and holds no
    transaction while it fetches.
    """
    wanted = images_to_copy(session, feed_ids, settings.per_refresh)
    session.commit()
    if not wanted:
        return 0
    outcomes = fetch_copies(wanted, settings, workers, per_host)
    try:
        stored = sum(record_copy(session, outcome, now) for outcome in outcomes)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not store copied images")
        return 0
    return stored


def images_to_copy(session: Session, feed_ids: Iterable[int], per_feed: int) -> dict[str, list[int]]:
    """Image address -> the ids of the items that use it, at most ``per_feed`` items per feed, newest first."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for feed_id in sorted(set(feed_ids)):
        rows = session.execute(
            select(FeedItem.id, FeedItem.image_url)
            .where(FeedItem.feed_id == feed_id, FeedItem.image_url.is_not(None), FeedItem.image_checked_at.is_(None))
            .order_by(FeedItem.published_at.desc(), FeedItem.id.desc()).limit(per_feed)
        )
        for item_id, url in rows:
            if url:  # never None here (the query says so); the check is for the type checker
                wanted[url].append(item_id)
    return dict(wanted)


def record_copy(session: Session, outcome: ImageOutcome, now: datetime) -> int:
    """Store one copy (or its failure) on its items; content with that image address gets it too.

    Only items whose address is still the one fetched are marked: a feed may
    have changed an item's image meanwhile, and then the new one is to copy.
    """
    sha256 = store(session, outcome.image, now) if outcome.image is not None else None
    session.execute(
        update(FeedItem).where(FeedItem.id.in_(outcome.item_ids), FeedItem.image_url == outcome.url)
        .values(image_sha256=sha256, image_checked_at=now)
    )
    if sha256 is not None:
        # Content made from an item before its image was copied (or before
        # Relais copied images at all) shows it from now on.
        session.execute(
            update(Content).where(Content.image_url == outcome.url, Content.image_sha256.is_(None))
            .values(image_sha256=sha256)
        )
    return 1 if sha256 is not None else 0


def store(session: Session, image: CleanImage, now: datetime) -> str:
    """Keep the image (once, whoever stores it first); returns its key. Does not commit."""
    session.execute(
        insert_for(session)(StoredImage.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
        [{"sha256": image.sha256, "media_type": image.media_type, "width": image.width, "height": image.height,
          "data": image.data, "created_at": now}],
    )
    return image.sha256


def stored_image(session: Session, sha256: str) -> StoredImage | None:
    return session.get(StoredImage, sha256)
