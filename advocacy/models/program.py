"""Program life: the kit, the calendar, feedback, pulse surveys, thanks.

Privacy shapes these tables (DESIGN §2.3, §2.5):
- anonymous feedback and survey answers have no column that could point to
  a person: no user id, no time finer than the day, random (UUID) keys so
  that key order says nothing about who wrote when;
- who answered a survey lives apart (``survey_participations``) with no time
  at all, so that nobody can be asked twice and nothing joins it to answers.
On SQLite the answer and participation tables are WITHOUT ROWID, so even the
storage order follows the random key, not the order of arrival.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .user import User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda members: [m.value for m in members])


def random_key() -> str:
    """A random 32-hex key: unguessable and unordered."""
    return uuid.uuid4().hex


# --- kit ---------------------------------------------------------------------

class KitSection(enum.StrEnum):
    MISSION = "mission"
    FAQ = "faq"
    CONTACTS = "contacts"
    RESOURCES = "resources"


class KitPage(Base):
    """One page of the kit in one language; translations share the slug."""

    __tablename__ = "kit_pages"
    __table_args__ = (UniqueConstraint("slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    section: Mapped[KitSection] = mapped_column(_enum(KitSection, "kit_section"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered on display
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revisions: Mapped[list[KitRevision]] = relationship(
        back_populates="page", cascade="all, delete-orphan", passive_deletes=True,
        order_by="KitRevision.id.desc()",
    )


class KitRevision(Base):
    """Every saved version of a page (the first included): who saved what, when."""

    __tablename__ = "kit_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("kit_pages.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Staff who edited; kept as None if their account is removed.
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[KitPage] = relationship(back_populates="revisions")


class CalendarEvent(Base):
    """A milestone or meeting of the program (nothing personal)."""

    __tablename__ = "calendar_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(500), default="")  # a place or a link
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CalendarToken(Base):
    """A personal, revocable calendar subscription link; only its hash is kept."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- feedback ----------------------------------------------------------------

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
    kind: Mapped[FeedbackKind] = mapped_column(_enum(FeedbackKind, "feedback_kind"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column()  # the day only
    status: Mapped[FeedbackStatus] = mapped_column(
        _enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
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


# --- pulse surveys -----------------------------------------------------------

class QuestionType(enum.StrEnum):
    SCALE = "scale"  # 1 to 5
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date] = mapped_column()
    closes_on: Mapped[date] = mapped_column()  # last day answers are taken
    closed_early: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SurveyQuestion.position",
    )


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionType] = mapped_column(_enum(QuestionType, "question_type"))
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[list] = mapped_column(JSON, default=list)  # for single/multiple choice
    required: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyParticipation(Base):
    """That a person answered a survey: no time, no key to their answers."""

    __tablename__ = "survey_participations"
    __table_args__ = {"sqlite_with_rowid": False}

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class SurveyResponse(Base):
    """One anonymous set of answers: a random key and the day only."""

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date] = mapped_column()

    answers: Mapped[list[SurveyAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    number: Mapped[int | None] = mapped_column()  # scale value, or the chosen option's index
    choices: Mapped[list | None] = mapped_column(JSON)  # option indexes (multiple choice)
    text: Mapped[str | None] = mapped_column(Text)


# --- thanks ------------------------------------------------------------------

class NetworkThanks(Base):
    """Thanks posted to the network: to everyone, or to one ambassador by name
    when that person consented to it (the row goes if they withdraw)."""

    __tablename__ = "network_thanks"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(Text)
    thanked_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    thanked: Mapped[User | None] = relationship()
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
