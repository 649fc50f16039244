"""Roll-ups for the insights page: daily sums of shares, clicks and previews.

Built by a scheduled job from ``share_events`` and ``click_counts`` for
closed days only (before today, UTC); the days after the watermark are read
live from those tables, so the page is right whether the job ran or not.
They hold no person: the same figures the raw tables give, summed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class InsightNetworkDay(Base):
    """Totals of one day on one network: the trends, totals and network breakdown."""

    __tablename__ = "insight_network_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    network: Mapped[str] = mapped_column(String(16), primary_key=True)
    shares: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    previews: Mapped[int] = mapped_column(default=0)


class InsightContentDay(Base):
    """Totals of one content on one day, all networks: top content, topics, needs."""

    __tablename__ = "insight_content_days"
    __table_args__ = (
        # Covering: a date range is summed per content from the index alone.
        Index("ix_insight_content_days_day", "day", "content_id", "shares", "clicks", "previews"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"), primary_key=True)
    shares: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    previews: Mapped[int] = mapped_column(default=0)


class InsightWatermark(Base):
    """Up to which day (inclusive) the roll-ups are built; one row."""

    __tablename__ = "insight_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    through_day: Mapped[date] = mapped_column(Date)
