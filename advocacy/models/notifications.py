"""Notifications for ambassadors: one row per person, event and channel, and each person's e-mail rhythm.

A row is written when the event happens, only for a channel the person
consented to (services/notifications.py). An ``email`` row waits for the
grouped summary and is deleted once that summary is queued in the mail
outbox; an ``in_app`` row stays in the person's list, ``read_at`` set once
they have seen it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, string_enum, utcnow


class NotificationKind(enum.StrEnum):
    FEEDBACK_ANSWERED = "feedback_reply"  # reference: the feedback item's key
    SURVEY_RESULTS = "survey_results"  # reference: the survey's id
    HIGHLIGHT = "highlight"  # reference: the content's id
    MANDATE_ENDING = "mandate_ending"  # reference: the mandate's end date


class NotificationChannel(enum.StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"


class EmailFrequency(enum.StrEnum):
    DAILY = "daily"  # the default: at most one summary per program day
    WEEKLY = "weekly"  # at most one per 7 days
    SOON = "soon"  # as it happens: still grouped, at most one per NOTIFICATION_EMAIL_MINUTES


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per person, event and channel: an event raised twice (a job run twice) adds nothing.
        UniqueConstraint("user_id", "kind", "reference", "channel"),
        # The unread count in the navigation and the list: one range of this index.
        Index("ix_notifications_user_channel_read", "user_id", "channel", "read_at"),
        # The e-mail job: who has e-mail rows due.
        Index("ix_notifications_channel_created", "channel", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(string_enum(NotificationKind, "notification_kind"))
    reference: Mapped[str] = mapped_column(String(64))
    channel: Mapped[NotificationChannel] = mapped_column(string_enum(NotificationChannel, "notification_channel"))
    # When it is shown: a highlight saved ahead of its publication waits until then.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationSetting(Base):
    """A person's e-mail rhythm, and when their last summary was queued (the rate limit)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[EmailFrequency] = mapped_column(string_enum(EmailFrequency, "email_frequency"),
                                                      default=EmailFrequency.DAILY)
    last_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
