"""Bookkeeping tables that belong to no feature: the scheduler lease, figures computed by a job."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SchedulerLease(Base):
    """Held by at most one scheduler process; a second one stays idle."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SharedFigure(Base):
    """Figures of the whole network, the same for every reader, computed by a scheduled job.

    Pages read the row instead of summing millions of rows per visitor
    (``services/milestones.py``). ``sharers`` is kept so the anonymity
    threshold is applied when the figure is shown, with the k in force then.
    """

    __tablename__ = "shared_figures"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month counted (UTC)
    sharers: Mapped[int] = mapped_column(Integer)
    shares: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
