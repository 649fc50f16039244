"""Curated content: validation, saving with revisions, status and visibility.

Public API for the other areas (ambassador feed, sharing, insights):

``visible_to_ambassadors(now)``
    A SQL condition on ``Content``: published (``publish_at <= now``), not
    expired (``expires_at`` null or ``> now``) and not archived. Use it in a
    ``select(Content).where(visible_to_ambassadors(now))``; it is the only
    definition of "an ambassador may see this", so nobody re-derives it.
``status_of(content, now)``
    The derived ``Status`` of one content, for display.
``status_clause(status, now)``
    The SQL condition for one status (lists and filters).

Status is never stored: it follows from ``publish_at`` (None: draft; in the
future: scheduled), ``expires_at`` and ``archived_at``. So no job has to run
for content to go live or disappear, and every query agrees on the clock it
is given.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..db import changed_rows
from ..models import Content, FeedItem, ItemStatus, Need, ShareText, Topic, User
from . import chat_webhooks, content_revisions, notifications, text_rules, tracked_links
from .errors import ServiceError
from .networks import NETWORKS

MAX_HIGHLIGHTS = 3
# A share text longer than this is refused before it is measured, whatever
# its network: above WhatsApp's 4,096 (the largest limit a network has), so
# a network's own limit is what a curator meets first, and the one cap of
# e-mail texts. Measuring costs time (links are looked for), so a request's
# cost is bounded by this length times MAX_TEXTS_PER_NETWORK boxes per
# network (docs/benchmarks.md: the editor's worst request).
MAX_TEXT_CHARS = 5_000
# Variants per network: "several", so that ambassadors do not all post the
# same sentence; the editor shows no more boxes than this (36 in a form).
MAX_TEXTS_PER_NETWORK = 6
MAX_TITLE = 300
MAX_SUMMARY = 5_000
FOREVER = datetime.max.replace(tzinfo=UTC)


class Status(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    EXPIRED = "expired"
    ARCHIVED = "archived"


def visible_to_ambassadors(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Content an ambassador may see and share at ``now`` (a SQL condition)."""
    return and_(
        Content.archived_at.is_(None),
        Content.publish_at.is_not(None),
        Content.publish_at <= now,
        or_(Content.expires_at.is_(None), Content.expires_at > now),
    )


def status_clause(status: Status, now: datetime) -> ColumnElement[bool]:
    live = Content.archived_at.is_(None)
    if status == Status.ARCHIVED:
        return Content.archived_at.is_not(None)
    if status == Status.DRAFT:
        return and_(live, Content.publish_at.is_(None))
    if status == Status.SCHEDULED:
        return and_(live, Content.publish_at > now)
    if status == Status.PUBLISHED:
        return visible_to_ambassadors(now)
    if status == Status.EXPIRED:
        return and_(live, Content.publish_at <= now, Content.expires_at <= now)
    return false()


def status_of(content: Content, now: datetime) -> Status:
    if content.archived_at is not None:
        return Status.ARCHIVED
    if content.publish_at is None:
        return Status.DRAFT
    if content.publish_at > now:
        return Status.SCHEDULED
    if content.expires_at is not None and content.expires_at <= now:
        return Status.EXPIRED
    return Status.PUBLISHED


# --- what the editor submits -----------------------------------------------------

@dataclass
class ContentDraft:
    """Everything the editor holds, before it is checked and saved.

    ``texts`` keeps blank boxes in place so that an error can point at the
    box the curator typed in; blanks are dropped when saving.
    """

    title: str = ""
    summary: str = ""
    image_url: str | None = None
    # Relais' copy of the image at image_url (services/images.py); None: no image shown.
    image_sha256: str | None = None
    target_url: str = ""
    publish_at: datetime | None = None  # None: keep as a draft
    expires_at: datetime | None = None
    highlighted: bool = False
    need_ids: list[int] = dataclasses.field(default_factory=list)
    topic_ids: list[int] = dataclasses.field(default_factory=list)
    texts: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, content: Content) -> ContentDraft:
        return cls(
            title=content.title, summary=content.summary, image_url=content.image_url,
            image_sha256=content.image_sha256, target_url=content.target_url, publish_at=content.publish_at,
            expires_at=content.expires_at, highlighted=content.highlighted,
            need_ids=[n.id for n in content.needs], topic_ids=[t.id for t in content.topics],
            texts={network: content.texts_for(network) for network in NETWORKS},
        )

    def clean_texts(self) -> dict[str, list[str]]:
        return {network: [t.strip() for t in self.texts.get(network, []) if t and t.strip()]
                for network in NETWORKS}


@dataclass
class Problem:
    """One reason the draft cannot be saved; the view words it and places it.

    Not raised on its own: ContentInvalid carries them all. Its codes are
    worded with ServiceError's, in the same area."""

    area: ClassVar[str] = "contents"
    field: str
    code: str
    params: dict = dataclasses.field(default_factory=dict)  # (`field` is a member name here)
    network: str | None = None
    index: int | None = None


class AlreadyApproved(ServiceError):
    """Another curator approved this feed item first."""

    area = "contents"

    def __init__(self) -> None:
        super().__init__("already_approved")


class ContentInvalid(ServiceError):
    """The draft cannot be saved; ``problems`` says why, field by field."""

    area = "contents"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("invalid")
        self.problems = problems


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check(session: Session, draft: ContentDraft, now: datetime, content: Content | None = None) -> list[Problem]:
    """Every problem with the draft; the server's word on share-text lengths."""
    problems: list[Problem] = []
    if not draft.title.strip():
        problems.append(Problem("title", "required"))
    elif len(draft.title) > MAX_TITLE:
        problems.append(Problem("title", "too_long", {"maximum": MAX_TITLE}))
    if len(draft.summary) > MAX_SUMMARY:
        problems.append(Problem("summary", "too_long", {"maximum": MAX_SUMMARY}))
    if not draft.target_url.strip():
        problems.append(Problem("target_url", "required"))
    elif not _is_web_url(draft.target_url.strip()):
        problems.append(Problem("target_url", "not_a_web_url"))
    if draft.image_url and not _is_web_url(draft.image_url.strip()):
        problems.append(Problem("image_url", "not_a_web_url"))
    if draft.publish_at and draft.expires_at and draft.expires_at <= draft.publish_at:
        problems.append(Problem("expires_at", "expires_before_publish"))
    for network in NETWORKS:
        texts = draft.texts.get(network, [])
        if len(texts) > MAX_TEXTS_PER_NETWORK:
            problems.append(Problem("texts", "too_many_texts", {"maximum": MAX_TEXTS_PER_NETWORK},
                                    network=network, index=MAX_TEXTS_PER_NETWORK - 1))
        for index, text in enumerate(texts[:MAX_TEXTS_PER_NETWORK]):
            if not text or not text.strip():
                continue
            text = text.strip()
            if len(text) > MAX_TEXT_CHARS:  # before measuring: its cost grows with the length
                problems.append(Problem("texts", "text_over_cap", {"maximum": MAX_TEXT_CHARS, "length": len(text)},
                                        network=network, index=index))
                continue
            measure = text_rules.measure(network, text)
            if not measure.ok:
                problems.append(Problem("texts", "text_too_long", {
                    "length": measure.length, "limit": measure.limit,
                }, network=network, index=index))
    archived = content is not None and content.archived
    if draft.highlighted and draft.publish_at is not None and not archived:
        busiest = highlight_conflicts(session, draft.publish_at, draft.expires_at, now,
                                      exclude_id=content.id if content else None)
        if len(busiest) >= MAX_HIGHLIGHTS:
            problems.append(Problem("highlighted", "too_many_highlights", {
                "maximum": MAX_HIGHLIGHTS, "titles": "; ".join(c.title for c in busiest),
            }))
    return problems


def highlight_conflicts(
    session: Session, publish_at: datetime, expires_at: datetime | None, now: datetime,
    exclude_id: int | None = None,
) -> list[Content]:
    """The most other highlights visible at one same instant of this window.

    "At most 3 highlighted at once" is read literally: at no moment may more
    than 3 highlighted contents be visible. A highlight that has expired, is
    archived or still a draft holds no slot, and next week's highlight may be
    scheduled while this week's three are live as long as they do not overlap.
    """
    start = max(publish_at, now)
    end = expires_at or FOREVER
    if end <= start:
        return []  # never visible from now on
    query = select(Content).where(
        Content.highlighted.is_(True), Content.archived_at.is_(None), Content.publish_at.is_not(None),
        Content.publish_at < end, or_(Content.expires_at.is_(None), Content.expires_at > start),
    )
    if exclude_id is not None:
        query = query.where(Content.id != exclude_id)
    others = list(session.scalars(query))
    # Sweep over the window: ends sort before starts at the same instant
    # (windows are half-open), and remember who is on at the busiest moment.
    events = []
    for other in others:
        events.append((max(other.publish_at or start, start), 1, other))
        events.append((min(other.expires_at or FOREVER, end), 0, other))
    events.sort(key=lambda e: (e[0], e[1]))
    on: dict[int, Content] = {}
    busiest: list[Content] = []
    for _when, is_start, other in events:
        if is_start:
            on[other.id] = other
            if len(on) > len(busiest):
                busiest = list(on.values())
        else:
            on.pop(other.id, None)
    return busiest


# --- saving -------------------------------------------------------------------------

def _apply(session: Session, content: Content, draft: ContentDraft) -> None:
    content.title = draft.title.strip()
    content.summary = draft.summary.strip().replace("\r\n", "\n")
    content.image_url = (draft.image_url or "").strip() or None
    content.image_sha256 = draft.image_sha256 if content.image_url else None
    content.target_url = draft.target_url.strip()
    content.publish_at = draft.publish_at
    content.expires_at = draft.expires_at
    content.highlighted = draft.highlighted
    content.needs = list(session.scalars(select(Need).where(Need.id.in_(draft.need_ids)))) if draft.need_ids else []
    content.topics = (
        list(session.scalars(select(Topic).where(Topic.id.in_(draft.topic_ids)))) if draft.topic_ids else []
    )
    wanted = draft.clean_texts()
    if {n: content.texts_for(n) for n in NETWORKS} != wanted:
        content.texts.clear()
        session.flush()  # the old rows go first: (content, network, position) is unique
        content.texts.extend(ShareText(network=network, position=position, text=text)
                             for network, texts in wanted.items() for position, text in enumerate(texts))


def create_content(
    session: Session, draft: ContentDraft, user: User | None, now: datetime,
    feed_item: FeedItem | None = None,
) -> Content:
    """Check and store a new content (from a feed item, or written by hand)."""
    problems = check(session, draft, now)
    if problems:
        raise ContentInvalid(problems)
    if feed_item is not None:
        # Claimed with one conditional UPDATE: when two curators approve the
        # same item at once, the second finds it approved and gets no twin.
        claimed = changed_rows(session,
            update(FeedItem).where(FeedItem.id == feed_item.id, FeedItem.status != ItemStatus.APPROVED)
            .values(status=ItemStatus.APPROVED, curated_at=now, skip_reason=None)
        )
        if not claimed:
            raise AlreadyApproved()
    content = Content(slug=new_slug(session, draft.title), created_by=user, created_at=now,
                      feed_item=feed_item, title="", target_url="")
    session.add(content)
    _apply(session, content, draft)
    session.flush()
    tracked_links.create_links(session, content.id)
    content_revisions.record(session, content, {}, user, now)
    chat_webhooks.queue_highlight(session, content, now)  # posted later by a job, never in this request
    notifications.highlight_saved(session, content, now)
    session.flush()
    return content


def update_content(session: Session, content: Content, draft: ContentDraft, user: User | None,
                   now: datetime) -> dict:
    """Check and apply the draft; returns the changes recorded ({} if none)."""
    problems = check(session, draft, now, content)
    if problems:
        raise ContentInvalid(problems)
    before = content_revisions.snapshot(content)
    was_announced = chat_webhooks.is_announced_highlight(content, now)
    _apply(session, content, draft)
    session.flush()
    changes = content_revisions.record(session, content, before, user, now)
    chat_webhooks.queue_highlight(session, content, now, was_announced=was_announced)
    notifications.highlight_saved(session, content, now, was_announced=was_announced)
    session.flush()
    return changes


def set_archived(session: Session, content: Content, archived: bool, user: User | None, now: datetime) -> None:
    """Archive (hidden from ambassadors, highlight released) or bring back."""
    before = content_revisions.snapshot(content)
    was_announced = chat_webhooks.is_announced_highlight(content, now)
    content.archived_at = now if archived else None
    if archived:
        content.highlighted = False
    content_revisions.record(session, content, before, user, now)
    chat_webhooks.queue_highlight(session, content, now, was_announced=was_announced)
    notifications.highlight_saved(session, content, now, was_announced=was_announced)
    session.flush()


# --- finding ------------------------------------------------------------------------

def existing_for_url(session: Session, url: str | None, exclude_id: int | None = None) -> Content | None:
    """Non-archived content that already points at this address, if any."""
    if not url:
        return None
    query = select(Content).where(Content.target_url == url.strip(), Content.archived_at.is_(None))
    if exclude_id is not None:
        query = query.where(Content.id != exclude_id)
    return session.scalar(query.order_by(Content.id).limit(1))


def list_contents(session: Session, now: datetime, status: Status | None = None,
                  highlighted: bool = False, limit: int = 50, offset: int = 0) -> list[Content]:
    """Curators' list, newest first. OFFSET is fine here: content is written by
    hand, a few a day, unlike the tens of thousands of feed items."""
    query = select(Content).options(selectinload(Content.texts), selectinload(Content.topics))
    if status is not None:
        query = query.where(status_clause(status, now))
    if highlighted:
        query = query.where(Content.highlighted.is_(True))
    query = query.order_by(Content.created_at.desc(), Content.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def current_highlights(session: Session, now: datetime) -> list[Content]:
    return list(session.scalars(
        select(Content).where(Content.highlighted.is_(True), visible_to_ambassadors(now))
        .order_by(Content.publish_at.desc())
    ))


def new_slug(session: Session, title: str) -> str:
    """A readable, unique, ASCII slug from the title (stable afterwards)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].rstrip("-") or "content"
    slug, n = base, 1
    while session.scalar(select(Content.id).where(Content.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug
