"""Signed-in sessions, held on the server (one ``UserSession`` row per browser).

The signed cookie names the person and carries a random token; a request is
signed in only while a row with that token's hash exists for that person.
Signing out deletes the row, so a copy of the cookie taken before then opens
nothing afterwards; deactivation and erasure delete all of the person's rows.
A session unused for ``idle`` (SESSION_IDLE_DAYS) is over, and the
``prune-sessions`` job deletes such rows so the table does not grow forever.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows
from ..models import AmbassadorProfile, User, UserSession
from . import personal_data

# last_seen_at is written at most this often per session, so that a page
# view costs one indexed read and only rarely a write.
LAST_SEEN_STEP = timedelta(minutes=5)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user_id: int, now: datetime) -> str:
    """A new session for this person; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, token_hash=_token_hash(token), created_at=now, last_seen_at=now))
    session.flush()
    return token


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: int
    last_seen_at: datetime
    # Read with the session (None for staff): the ambassador pages' checks need it on every request.
    profile: AmbassadorProfile | None = None

    def due_for_last_seen(self, now: datetime) -> bool:
        return now - self.last_seen_at >= LAST_SEEN_STEP


def find(session: Session, user_id: str, token: str | None, *, now: datetime, idle: timedelta) -> SignedIn | None:
    """The active person this cookie signs in, or None (signed out, ended elsewhere, idle too long)."""
    if not token or not user_id.isdigit():
        return None
    row = session.execute(
        select(User, UserSession.id, UserSession.last_seen_at, AmbassadorProfile)
        .join(UserSession, UserSession.user_id == User.id)
        .outerjoin(AmbassadorProfile, AmbassadorProfile.user_id == User.id)
        .where(UserSession.token_hash == _token_hash(token), User.id == int(user_id))
    ).first()
    if row is None:
        return None
    user, session_id, last_seen_at, profile = row
    if not user.active or last_seen_at <= now - idle:
        return None
    return SignedIn(user, session_id, last_seen_at, profile)


def record_last_seen(connection: Connection, session_id: int, now: datetime) -> None:
    """Note the session in use. Takes its own connection: the request's unit of
    work may read only and never commit, and a rolled-back page was still a visit."""
    connection.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def end(session: Session, token: str | None) -> None:
    """Sign this browser out: its cookie, and every copy of it, stops working."""
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_all(session: Session, user_id: int) -> None:
    """Sign the person out everywhere."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def prune_idle(session: Session, *, now: datetime, idle: timedelta) -> int:
    """Delete the sessions that ``find`` no longer accepts; how many there were."""
    return changed_rows(session, delete(UserSession).where(UserSession.last_seen_at <= now - idle))


@personal_data.erasure_step
def _erase_sessions(session: Session, user_id: int) -> None:
    end_all(session, user_id)
