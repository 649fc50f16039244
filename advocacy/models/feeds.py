"""Feeds and the items they bring into the curation queue."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

DEFAULT_INTERVAL_MINUTES = 30


class ItemStatus(enum.StrEnum):
    NEW = "new"
    SKIPPED = "skipped"
    APPROVED = "approved"


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    site_url: Mapped[str | None] = mapped_column(String(2048))
    interval_minutes: Mapped[int] = mapped_column(default=DEFAULT_INTERVAL_MINUTES)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Why the feed was switched off: by a curator, or after repeated errors.
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # Conditional GET validators from the last 200 answer.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Health.
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    consecutive_errors: Mapped[int] = mapped_column(default=0)
    # Error code and parameters, so the message is shown in the reader's language.
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    last_error_params: Mapped[dict | None] = mapped_column(JSON)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[FeedItem]] = relationship(
        back_populates="feed", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def display_title(self) -> str:
        return self.title or self.url


class FeedItem(Base):
    __tablename__ = "feed_items"
    __table_args__ = (
        UniqueConstraint("feed_id", "dedupe_key"),
        # The queue: one status, newest first, paginated by (published_at, id).
        Index("ix_feed_items_queue", "status", "published_at", "id"),
        Index("ix_feed_items_feed_queue", "feed_id", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    guid: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    # None when the entry had no usable http(s) link: kept, but not shareable.
    link: Mapped[str | None] = mapped_column(String(2048), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary_html: Mapped[str] = mapped_column(Text, default="")
    content_html: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    # The publisher's address of the entry's image, and the copy Relais
    # serves (services/images.py): only the copy is ever shown. Checked:
    # when the copy was attempted, so a failed image is not fetched again.
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("images.sha256", ondelete="SET NULL"))
    image_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    author: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[ItemStatus] = mapped_column(
        Enum(ItemStatus, name="item_status", native_enum=False, create_constraint=True, length=16,
             values_callable=lambda statuses: [s.value for s in statuses]),
        default=ItemStatus.NEW,
    )
    skip_reason: Mapped[str | None] = mapped_column(String(500))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    curated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    feed: Mapped[Feed] = relationship(back_populates="items")

    @property
    def shareable(self) -> bool:
        return self.link is not None
