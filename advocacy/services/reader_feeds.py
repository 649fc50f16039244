"""Feeds followed in one's own reader: an ambassador's suggestions, and the public log of decisions.

The suggestions feed is private, so a feed reader (which has no login)
reaches it by a personal link: a random token of 32 bytes (256 bits; a
guess has no chance, and a wrong one costs an indexed read) of which only
the SHA-256 is stored, as for calendar links and invitations. The full
link is therefore shown once, when it is made: whoever reads the database
or a backup cannot rebuild anyone's link, and losing it costs one click
("Get a new link", which kills the old one).

The feed holds what the person's home page would suggest
(``personal_feed.page``, same ranking and exclusions), to the same people:
an active account of an ambassador whose membership stands, who has not
left and whose mandate is in force. Anyone else's link, a revoked one and a
made-up one look the same: no such feed. Leaving the program deletes the
link (a withdrawal effect), erasure deletes it with the account, and while
the person is paused the feed stays valid but suggests nothing, since a
pause means no prompts.

The decision log's feed is public and carries what the log shows: decided
items (kind, status, day, text and the team's reason), never who sent them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import DECISIONS, AmbassadorProfile, FeedbackItem, Purpose, ReaderFeedToken, User
from . import ambassadors, consent, personal_data, personal_feed

TOKEN_BYTES = 32
# A token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100
SUGGESTIONS = 20  # entries in the suggestions feed: two pages of the home feed
DECISIONS_SHOWN = 50  # entries in the decision log's feed, newest first


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_created_at(session: Session, user_id: int) -> datetime | None:
    """When the person's current link was made; None when they have none."""
    return session.scalar(select(ReaderFeedToken.created_at).where(ReaderFeedToken.user_id == user_id))


def new_link(session: Session, user: User) -> str:
    """A fresh token for this person (shown once); their previous link stops working."""
    revoke(session, user.id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ReaderFeedToken(user_id=user.id, token_hash=_hash(token)))
    session.flush()
    return token


def revoke(session: Session, user_id: int) -> None:
    session.execute(delete(ReaderFeedToken).where(ReaderFeedToken.user_id == user_id))


@consent.on_withdrawal(Purpose.MEMBERSHIP)
def _revoke_on_leaving(session: Session, user_id: int) -> None:
    # Someone who leaves is no longer suggested anything; coming back, they make a new link.
    revoke(session, user_id)


@personal_data.erasure_step
def _revoke_on_erasure(session: Session, user_id: int) -> None:
    revoke(session, user_id)  # the account's deletion cascades too; said here so no database setting matters


@personal_data.export_section("reader_feed_link")
def _export_link(session: Session, user: User) -> dict | None:
    created_at = link_created_at(session, user.id)
    return {"created_at": created_at.isoformat()} if created_at else None


@dataclass(frozen=True)
class Reader:
    """The ambassador a suggestions link belongs to, as the feed needs them."""

    user: User
    link_id: int
    link_created_at: datetime
    paused: bool


def reader_for_token(session: Session, token: str, today: date) -> Reader | None:
    """The link's owner if their suggestions may be shown now; None for anything else (one statement)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.execute(
        ambassadors.active_members(session, today, User, ReaderFeedToken.id, ReaderFeedToken.created_at,
                                   AmbassadorProfile.paused_until)
        .join(ReaderFeedToken, ReaderFeedToken.user_id == User.id)
        .where(ReaderFeedToken.token_hash == _hash(token))
    ).first()
    if row is None:
        return None
    user, link_id, created_at, paused_until = row
    return Reader(user, link_id, created_at, paused=paused_until is not None and paused_until >= today)


def suggestions(session: Session, reader: Reader, now: datetime) -> list[personal_feed.Suggestion]:
    """What the home page would suggest to this person now, best first (nothing while paused)."""
    if reader.paused:
        return []
    return personal_feed.page(session, reader.user.id, now, 1, size=SUGGESTIONS).suggestions


def latest_decisions(session: Session, limit: int = DECISIONS_SHOWN) -> list[FeedbackItem]:
    """The newest decisions of the public log, as the log orders them; no author, ever."""
    return list(session.scalars(
        select(FeedbackItem).where(FeedbackItem.status.in_(DECISIONS))
        .order_by(FeedbackItem.replied_on.desc(), FeedbackItem.created_on.desc(), FeedbackItem.id)
        .limit(limit)
    ))
