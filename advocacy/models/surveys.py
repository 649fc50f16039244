"""Pulse surveys: questions, who took part, and the anonymous answers.

Privacy shapes these tables (privacy principles 3 and 5, docs/privacy.md):
- survey answers have no column that could point to a person: no user id,
  no time finer than the day, random (UUID) keys so that key order says
  nothing about who answered when;
- who answered a survey lives apart (``survey_participations``) with no time
  at all, so that nobody can be asked twice and nothing joins it to answers;
- below the schema too: answers wait sealed (``survey_pending_responses``,
  written with the participation) and reach ``survey_responses`` in one
  shuffled batch when the survey is over (``services/survey_pool.py``), so
  no transaction id, row order or time pairs a response with a person.
On SQLite these tables are WITHOUT ROWID, so even the storage order follows
the random key, not the order of arrival.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, random_key, string_enum, utcnow


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
    kind: Mapped[QuestionType] = mapped_column(string_enum(QuestionType, "question_type"))
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


class SurveyPendingResponse(Base):
    """One person's answers, sealed, waiting for the survey's end to be counted with everyone's.

    Written in the participation's transaction (so an answer is never lost
    nor counted twice), hence sharing its transaction id: what it holds is
    therefore unreadable without the app's key, and every sealed response
    of a survey has the same length. No time, no link to anyone.
    """

    __tablename__ = "survey_pending_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class SurveyResponse(Base):
    """One anonymous set of answers: a random key and the day it was counted only."""

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    # The UTC day its batch was counted, the same for the whole batch: the
    # day it arrived would pair it with the participations of that day.
    counted_on: Mapped[date] = mapped_column()

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
