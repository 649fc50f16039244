"""The weekly digest and mandate-renewal notices: when to send, and who was sent what.

A delivery row is claimed (inserted, unique per person and week or per
person and mandate) and committed *before* the e-mail leaves, so a second
job run, or a second scheduler process, finds the claim and sends nothing:
at most one e-mail per person and week, even when a send fails half-way.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

# The slot used until an admin sets one: Monday, 09:00 in the program's TIMEZONE.
DEFAULT_DIGEST_WEEKDAY = 0
DEFAULT_DIGEST_HOUR = 9


class DigestSchedule(Base):
    """One row (id 1): the weekday (0 = Monday) and hour at which the digest goes out."""

    __tablename__ = "digest_schedules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("hour BETWEEN 0 AND 23", name="hour_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_WEEKDAY)
    hour: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_HOUR)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryStatus(enum.StrEnum):
    CLAIMED = "claimed"  # committed, the e-mail not (yet) handed to the mail module
    SENT = "sent"
    FAILED = "failed"  # logged; never retried, which could send twice


def _status_type() -> Enum:
    # One type object per column: each table gets its own CHECK constraint.
    return Enum(DeliveryStatus, name="delivery_status", native_enum=False, create_constraint=True,
                length=8, values_callable=lambda members: [m.value for m in members])


class DigestDelivery(Base):
    """One person's digest for one ISO week (``week_start`` is that week's Monday)."""

    __tablename__ = "digest_deliveries"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[DeliveryStatus] = mapped_column(_status_type(), default=DeliveryStatus.CLAIMED)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    item_count: Mapped[int] = mapped_column(default=0)


class RenewalNotice(Base):
    """The notice sent before one mandate ends; a renewal (a new end date) starts a new cycle."""

    __tablename__ = "renewal_notices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    mandate_ends_on: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[DeliveryStatus] = mapped_column(_status_type(), default=DeliveryStatus.CLAIMED)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
