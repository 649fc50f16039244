"""Shares and tracked links. Nothing here identifies a sharer unless they consented.

- A tracked link is one per (content, network), the same for every
  ambassador: a click can never be traced back to who shared it.
- A share event stores the content, the network and the day; the person
  only with their share-attribution consent (and loses it when they
  withdraw it or erase their account). No time finer than the day.
- Clicks are counters per (link, day): no IP, no user agent, no cookie.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class TrackedLink(Base):
    __tablename__ = "tracked_links"
    __table_args__ = (UniqueConstraint("content_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareEvent(Base):
    __tablename__ = "share_events"
    __table_args__ = (
        Index("ix_share_events_day", "day"),
        Index("ix_share_events_user_day", "user_id", "day"),
        Index("ix_share_events_content", "content_id", "network"),
        # Insights: who attributed a share in a date range, from the index alone.
        Index("ix_share_events_day_user", "day", "user_id"),
        # The personal feed: "already shared under my name", one key lookup per candidate.
        Index("ix_share_events_user_content", "user_id", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    # Only with share-attribution consent; set to NULL when it is withdrawn.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ClickCount(Base):
    """Clicks on one tracked link on one day; link-preview fetchers apart."""

    __tablename__ = "click_counts"
    __table_args__ = (
        # Insights read clicks by date range; the key starts with the link.
        Index("ix_click_counts_day", "day", "link_id", "clicks", "previews"),
    )

    link_id: Mapped[int] = mapped_column(ForeignKey("tracked_links.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    clicks: Mapped[int] = mapped_column(default=0)
    previews: Mapped[int] = mapped_column(default=0)
