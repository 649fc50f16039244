"""Signed-in sessions, held on the server (one ``UserSession`` row per browser).

The signed cookie names the person and carries a random token; a request is
signed in only while a row with that token's hash exists for that person.
Signing out deletes the row, so a copy of the cookie taken before then opens
nothing afterwards; deactivation and erasure delete all of the person's rows.
A session unused for ``Lifetimes.idle`` (SESSION_IDLE_DAYS) is over; one
started with "keep me signed in on this device" (``persistent``) lasts
``Lifetimes.remembered`` (REMEMBER_DAYS) from its last use instead, like
its cookie, which the browser keeps that long after each visit. The
``prune-sessions`` job deletes ended rows so the table does not grow forever.
The person's "Signed-in devices" page lists their rows (``of_person``) and
ends one (``end_one``) or all of them (``end_all``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows
from ..models import AmbassadorProfile, User, UserSession
from . import personal_data

# last_seen_at is written at most this often per session, so that a page
# view costs one indexed read and only rarely a write.
LAST_SEEN_STEP = timedelta(minutes=5)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Lifetimes:
    """How long an unused session lasts: a browser-session one, and a "keep me signed in" one."""

    idle: timedelta
    remembered: timedelta

    @classmethod
    def from_config(cls, config) -> Lifetimes:
        return cls(idle=timedelta(days=int(config["SESSION_IDLE_DAYS"])),
                   remembered=timedelta(days=int(config["REMEMBER_DAYS"])))

    def ended(self, now: datetime) -> ColumnElement[bool]:
        """The rows whose session is over at ``now``."""
        return or_(
            and_(UserSession.persistent.is_(False), UserSession.last_seen_at <= now - self.idle),
            and_(UserSession.persistent.is_(True), UserSession.last_seen_at <= now - self.remembered),
        )


def start(session: Session, user_id: int, now: datetime, *, persistent: bool = False, device: str = "") -> str:
    """A new session for this person; returns the token for the cookie (only its hash is stored).
    ``device``: the label of services.devices."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, token_hash=_token_hash(token), created_at=now, last_seen_at=now,
                            persistent=persistent, device=device))
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


# Read on every signed-in request: built once, not per request.
_SIGNED_IN = (
    select(User, UserSession.id, UserSession.last_seen_at, UserSession.persistent, AmbassadorProfile)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(AmbassadorProfile, AmbassadorProfile.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"), User.id == bindparam("user_id"))
)


def find(session: Session, user_id: str, token: str | None, *, now: datetime,
         lifetimes: Lifetimes) -> SignedIn | None:
    """The active person this cookie signs in, or None (signed out, ended elsewhere, idle too long)."""
    if not token or not user_id.isdigit():
        return None
    row = session.execute(_SIGNED_IN, {"token_hash": _token_hash(token), "user_id": int(user_id)}).first()
    if row is None:
        return None
    user, session_id, last_seen_at, persistent, profile = row
    idle = lifetimes.remembered if persistent else lifetimes.idle
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


def end_one(session: Session, user_id: int, session_id: int) -> bool:
    """Sign out one of the person's own devices; False when they have no such session
    (ended already, or someone else's: the same answer, so ids reveal nothing)."""
    return changed_rows(session, delete(UserSession).where(UserSession.id == session_id,
                                                           UserSession.user_id == user_id)) > 0


def end_all(session: Session, user_id: int) -> None:
    """Sign the person out everywhere."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def of_person(session: Session, user_id: int, *, now: datetime, lifetimes: Lifetimes) -> list[UserSession]:
    """The person's sessions still open, the most recently used first."""
    return list(session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, ~lifetimes.ended(now))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def prune_idle(session: Session, *, now: datetime, lifetimes: Lifetimes) -> int:
    """Delete the sessions that ``find`` no longer accepts; how many there were."""
    return changed_rows(session, delete(UserSession).where(lifetimes.ended(now)))


@personal_data.export_section("devices")
def _export_devices(session: Session, user: User) -> list[dict]:
    rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    return [{"device": row.device, "signed_in_at": row.created_at.isoformat(),
             "last_used_at": row.last_seen_at.isoformat(), "kept_signed_in": row.persistent} for row in rows]


@personal_data.erasure_step
def _erase_sessions(session: Session, user_id: int) -> None:
    end_all(session, user_id)
