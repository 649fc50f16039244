"""Managing feeds: add (fetched once at once), interval, enable/disable, delete, OPML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import content_feeds
from content_feeds import FeedError, OpmlError, OpmlOutline
from content_feeds.errors import format_size

from ..models import Feed, FeedItem, ItemStatus, utcnow
from ..models.feeds import DEFAULT_INTERVAL_MINUTES
from . import ingest, sample_feeds
from .errors import ServiceError


class FeedManagementError(ServiceError):
    area = "feeds"


def validate_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedManagementError("invalid_url", field="url")
    return url


def find_by_url(session: Session, url: str) -> Feed | None:
    return session.scalar(select(Feed).where(Feed.url == url))


def add_feed(
    session: Session, url: str, settings: ingest.FeedSettings, *, interval: int | None = None,
) -> tuple[Feed, ingest.Report]:
    """Fetch the feed once; store it with its first items only if that worked.

    It is refreshed like any feed, so it is committed here (see
    ``ingest.refresh_feeds``). A failure raises FeedError (nothing stored) so
    the curator sees at once what is wrong and can correct the address they
    typed.
    """
    if not sample_feeds.is_sample(url):
        url = validate_url(url)
    if interval is None:
        interval = DEFAULT_INTERVAL_MINUTES
    elif interval < settings.min_interval:
        raise FeedManagementError("interval_too_short", field="interval", minimum=settings.min_interval)
    if find_by_url(session, url) is not None:
        raise FeedManagementError("duplicate", field="url", url=url)
    [report] = ingest.refresh_feeds(session, [ingest.FeedRequest.new(url, interval)], settings)
    if report.error is not None:
        raise report.error
    if report.duplicate_url is not None:
        raise FeedManagementError("duplicate", field="url", url=report.duplicate_url)
    feed = session.get(Feed, report.feed_id)
    assert feed is not None  # stored and committed by refresh_feeds just now
    return feed, report


def set_interval(feed: Feed, minutes: int, minimum: int) -> None:
    if minutes < minimum:
        raise FeedManagementError("interval_too_short", field="interval", minimum=minimum)
    feed.interval_minutes = minutes
    if feed.last_checked_at is not None and feed.consecutive_errors == 0:
        feed.next_check_at = feed.last_checked_at + timedelta(minutes=minutes)


def disable(feed: Feed) -> None:
    feed.enabled = False
    feed.disabled_reason = "curator"


def enable(feed: Feed, now: datetime | None = None) -> None:
    """Back on, checked at the next run, with a clean error count."""
    feed.enabled = True
    feed.disabled_reason = None
    feed.consecutive_errors = 0
    feed.next_check_at = now or utcnow()


def delete(session: Session, feed: Feed) -> None:
    """Remove the feed and all its items; content curated from them stays."""
    session.delete(feed)


@dataclass
class FeedRow:
    feed: Feed
    new_items: int
    total_items: int

    @property
    def health(self) -> str:
        feed = self.feed
        if not feed.enabled:
            return "disabled"
        if feed.consecutive_errors:
            return "failing"
        if feed.last_success_at is None:
            return "pending"
        return "ok"


def list_feeds(session: Session) -> list[FeedRow]:
    counts = {
        feed_id: (new, total) for feed_id, new, total in session.execute(
            select(
                FeedItem.feed_id,
                func.count().filter(FeedItem.status == ItemStatus.NEW),
                func.count(),
            ).group_by(FeedItem.feed_id)
        )
    }
    feeds = session.scalars(select(Feed).order_by(func.lower(Feed.title), Feed.id))
    return [FeedRow(feed, *counts.get(feed.id, (0, 0))) for feed in feeds]


# --- OPML ----------------------------------------------------------------------

@dataclass
class ImportReport:
    added: list[str]
    already_known: list[str]
    invalid: list[str]


def import_opml(session: Session, data: bytes, max_bytes: int | None = None) -> ImportReport:
    """Add every feed the OPML lists; each is fetched by the next scheduler run.

    Give ``max_bytes`` + 1 bytes of a larger file: it is refused as too large
    rather than cut, which would read as broken XML at its last byte.
    """
    if max_bytes is not None and len(data) > max_bytes:
        limit = format_size(max_bytes)
        raise OpmlError(detail=f"it is larger than {limit}", reason="too_large", limit=limit)
    report = ImportReport([], [], [])
    seen: set[str] = set()
    for outline, _folders in content_feeds.iter_feeds(content_feeds.parse_opml(data)):
        address = outline.xml_url or ""  # iter_feeds yields only outlines that have one
        try:
            url = address if sample_feeds.is_sample(address) else validate_url(address)
        except FeedManagementError:
            report.invalid.append(address)
            continue
        if url in seen or find_by_url(session, url) is not None:
            report.already_known.append(url)
            continue
        seen.add(url)
        session.add(Feed(url=url, title=(outline.title or "")[:500], site_url=outline.html_url))
        report.added.append(url)
    session.flush()
    return report


def export_opml(session: Session, title: str) -> bytes:
    feeds = session.scalars(select(Feed).order_by(Feed.id))
    return content_feeds.write_opml(
        [OpmlOutline(title=f.display_title, xml_url=f.url, html_url=f.site_url) for f in feeds], title=title
    )


__all__ = ["FeedError", "FeedManagementError", "add_feed", "export_opml", "import_opml", "list_feeds"]
