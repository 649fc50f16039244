"""The feedback loop: questions, irritants and ideas from the field, and the team's answers.

An item never records who sent it. For a named item a separate row in
``feedback_authors`` lets the author read the reply; an anonymous item has no
such row anywhere, and its only date is the day (the program's day, as the
author would name it). Item keys are random, so their order tells nothing
about when, or next to whom, they were written.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import DECISIONS, FeedbackAuthor, FeedbackItem, FeedbackKind, FeedbackStatus, User
from . import personal_data
from .errors import ServiceError


class FeedbackError(ServiceError):
    area = "feedback"


def submit(session: Session, author: User, kind: FeedbackKind, body: str, *, anonymous: bool,
           today: date) -> FeedbackItem:
    body = (body or "").strip()
    if not body:
        raise FeedbackError("empty")
    item = FeedbackItem(kind=kind, body=body, created_on=today, status=FeedbackStatus.NEW)
    session.add(item)
    session.flush()
    if not anonymous:
        session.add(FeedbackAuthor(item_id=item.id, user_id=author.id))
        session.flush()
    return item


def mine(session: Session, user: User) -> list[FeedbackItem]:
    """The named items this person sent, newest first."""
    return list(session.scalars(
        select(FeedbackItem).join(FeedbackAuthor, FeedbackAuthor.item_id == FeedbackItem.id)
        .where(FeedbackAuthor.user_id == user.id)
        .order_by(FeedbackItem.created_on.desc(), FeedbackItem.id)
    ))


def item_of_author(session: Session, item_id: str, user: User) -> FeedbackItem | None:
    """The item only if this person is its named author: others get None, as if it did not exist."""
    return session.scalar(
        select(FeedbackItem).join(FeedbackAuthor, FeedbackAuthor.item_id == FeedbackItem.id)
        .where(FeedbackItem.id == item_id, FeedbackAuthor.user_id == user.id)
    )


def is_named(session: Session, item: FeedbackItem) -> bool:
    return session.get(FeedbackAuthor, item.id) is not None


def inbox(session: Session, status: FeedbackStatus | None = None) -> list[FeedbackItem]:
    """For the team: everything, or one status; oldest open items first.

    Names are never shown to the team either: they answer the content.
    """
    query = select(FeedbackItem)
    if status is not None:
        query = query.where(FeedbackItem.status == status)
    return list(session.scalars(query.order_by(FeedbackItem.created_on, FeedbackItem.id)))


def answer(item: FeedbackItem, status: FeedbackStatus, reply: str, today: date) -> None:
    reply = (reply or "").strip()
    if status is not FeedbackStatus.NEW and not reply:
        # A decision without its reason would leave the public log unexplained.
        raise FeedbackError("reply_required")
    item.status = status
    item.reply = reply or None
    item.replied_on = today if reply else None


def decision_log(session: Session) -> list[FeedbackItem]:
    """Every decided item with its reason, newest decision first; no author, ever."""
    return list(session.scalars(
        select(FeedbackItem).where(FeedbackItem.status.in_(DECISIONS))
        .order_by(FeedbackItem.replied_on.desc(), FeedbackItem.created_on.desc(), FeedbackItem.id)
    ))


@personal_data.export_section("feedback")
def export_feedback(session: Session, user: User) -> list[dict]:
    """Their named items with the team's replies (anonymous ones are nobody's)."""
    return [
        {"kind": item.kind.value, "body": item.body, "created_on": item.created_on.isoformat(),
         "status": item.status.value, "reply": item.reply,
         "replied_on": item.replied_on.isoformat() if item.replied_on else None}
        for item in mine(session, user)
    ]


@personal_data.erasure_step
def erase_feedback(session: Session, user_id: int) -> None:
    """Named items are deleted, text and all: erasure leaves no free text of theirs behind."""
    item_ids = select(FeedbackAuthor.item_id).where(FeedbackAuthor.user_id == user_id)
    session.execute(delete(FeedbackItem).where(FeedbackItem.id.in_(item_ids)))
