"""The feedback loop: questions, irritants and ideas, answered by the team.

Privacy shapes these tables (privacy principles 3 and 5, docs/privacy.md): an item has no column that
could point to a person (no user id, no time finer than the day, a random
UUID key so that key order says nothing about who wrote when). Only a
*named* item gets a row in ``feedback_authors``, so its author can read the
reply; an anonymous one has none.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, random_key, string_enum


class FeedbackKind(enum.StrEnum):
    QUESTION = "question"
    IRRITANT = "irritant"
    IDEA = "idea"


class FeedbackStatus(enum.StrEnum):
    NEW = "new"
    ANSWERED = "answered"
    RETAINED = "retained"
    POSTPONED = "postponed"
    DONE = "done"
    DECLINED = "declined"


# Statuses that are decisions: shown in the public log, without names.
DECISIONS = (FeedbackStatus.RETAINED, FeedbackStatus.POSTPONED, FeedbackStatus.DONE,
             FeedbackStatus.DECLINED)


class FeedbackItem(Base):
    """A question, irritant or idea. Holds nothing about who sent it."""

    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_items_status_created", "status", "created_on"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    kind: Mapped[FeedbackKind] = mapped_column(string_enum(FeedbackKind, "feedback_kind"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column()  # the day only
    status: Mapped[FeedbackStatus] = mapped_column(
        string_enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    # The team's answer, and for a decision its reason. No curator name either.
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column()


class FeedbackAuthor(Base):
    """Who sent a *named* item, so they can read the reply. Anonymous items have no row."""

    __tablename__ = "feedback_authors"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
