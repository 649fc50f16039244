"""An ambassador's own profile, and the departments admins keep."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

# What the person wants from the program, and what they like to share about.
ambassador_needs = Table(
    "ambassador_needs",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
)
ambassador_topics = Table(
    "ambassador_topics",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Dismissal(Base):
    """A content the person hid from their own feed ("not for me")."""

    __tablename__ = "dismissals"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Staff count, for coverage (one ambassador per 50-150 staff).
    headcount: Mapped[int | None]


class AmbassadorProfile(Base):
    """Created when someone accepts the charter; deleted when they erase their data."""

    __tablename__ = "ambassador_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mandate_ends_on: Mapped[date] = mapped_column(Date)
    # No prompts and no digest until this day (inclusive).
    paused_until: Mapped[date | None] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    # Networks the person uses, e.g. ["x", "mastodon", "linkedin"].
    networks: Mapped[list] = mapped_column(JSON, default=list)
    mastodon_instance: Mapped[str | None] = mapped_column(String(253))
    # Set when they leave the program but keep their account and history.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when they finish (or skip) the guided first steps after the charter;
    # until then signing in resumes those steps.
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_paused(self, today: date) -> bool:
        return self.paused_until is not None and self.paused_until >= today
