"""Tokens of the read-only JSON API: created, listed, revoked, and checked on each API request.

Two kinds, told apart by their scopes. Staff tokens (``STAFF_SCOPES``) are
created by an admin and read aggregates, contents and feeds, never a person;
they work while their owner is still an active admin. An ambassador's token
(``PERSONAL_SCOPES``) reads that person's own suggestions and data; it works
while they are an active member; leaving the program or erasing the account
deletes it. The token is shown once; only its SHA-256 is kept, so a copy
of the table opens nothing. A token lasts ``API_TOKEN_DAYS``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows
from ..models import AmbassadorProfile, ApiToken, Purpose, Role, User
from . import consent, personal_data
from .errors import ServiceError

STAFF_SCOPES = ("insights:read", "contents:read", "feeds:read")
PERSONAL_SCOPES = ("me:read",)
# Shown at the start of every token, so that a secret scanner (or a person)
# can tell a leaked Relais token from other strings.
PREFIX = "relais_"
MAX_NAME = 80
# An owner may hold this many tokens: enough for a few tools, and a bound on the table.
MAX_PER_PERSON = 20


class ApiTokenError(ServiceError):
    area = "api_tokens"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    token: str  # shown once, never stored


def _create(session: Session, owner: User, name: str, scopes: list[str], allowed: tuple[str, ...],
            now: datetime, lifetime: timedelta) -> NewToken:
    name = name.strip()
    if not name:
        raise ApiTokenError("name_required", field="name")
    if len(name) > MAX_NAME:
        raise ApiTokenError("name_too_long", field="name", max=MAX_NAME)
    chosen = [scope for scope in allowed if scope in scopes]  # in a fixed order, duplicates gone
    if not chosen:
        raise ApiTokenError("scope_required", field="scopes")
    if set(scopes) - set(allowed):
        raise ApiTokenError("unknown_scope", field="scopes")
    if len(of_person(session, owner.id)) >= MAX_PER_PERSON:
        raise ApiTokenError("too_many", max=MAX_PER_PERSON)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=owner.id, name=name, token_hash=token_hash(token), scopes=" ".join(chosen),
                   created_at=now, expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return NewToken(row, token)


def create_staff_token(session: Session, admin: User, name: str, scopes: list[str], *, now: datetime,
                       lifetime: timedelta) -> NewToken:
    if admin.role != Role.ADMIN:
        raise ApiTokenError("not_admin")
    return _create(session, admin, name, scopes, STAFF_SCOPES, now, lifetime)


def create_personal_token(session: Session, ambassador: User, name: str, *, now: datetime,
                          lifetime: timedelta) -> NewToken:
    if ambassador.role != Role.AMBASSADOR:
        raise ApiTokenError("not_ambassador")
    return _create(session, ambassador, name, list(PERSONAL_SCOPES), PERSONAL_SCOPES, now, lifetime)


def of_person(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


@dataclass(frozen=True)
class StaffTokenRow:
    token: ApiToken
    owner_name: str


def staff_tokens(session: Session) -> list[StaffTokenRow]:
    """Every staff token, whoever created it, their role now whatever it is: admins revoke each
    other's, and one whose admin was demoted (so it works no more) can still be cleared away."""
    rows = session.execute(select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [StaffTokenRow(token, name) for token, name in rows
            if set(token.scope_list) <= set(STAFF_SCOPES)]


def revoke_staff_token(session: Session, token_id: int) -> bool:
    """Any admin may revoke any staff token; False when there is no such staff token (a personal one included)."""
    token = session.get(ApiToken, token_id)
    if token is None or not set(token.scope_list) <= set(STAFF_SCOPES):
        return False
    session.delete(token)
    session.flush()
    return True


def revoke_own(session: Session, user_id: int, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False when they have no such token
    (revoked already, or someone else's: the same answer, so ids reveal nothing)."""
    return changed_rows(session, delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)) > 0


@dataclass(frozen=True)
class Caller:
    """Who an API request is from: the token's row, its owner, and what it may read."""

    token_id: int
    user_id: int
    scopes: frozenset[str]
    last_used_on: date | None

    def due_for_last_used(self, today: date) -> bool:
        return self.last_used_on != today


def _still_entitled(user: User, profile: AmbassadorProfile | None, scopes: set[str]) -> bool:
    """Whether the owner may still hold these scopes: an active admin for staff scopes,
    an ambassador who has not left for me:read."""
    if not user.active:
        return False
    if scopes <= set(STAFF_SCOPES):
        return user.role == Role.ADMIN
    if scopes <= set(PERSONAL_SCOPES):
        return user.role == Role.AMBASSADOR and profile is not None and profile.left_at is None
    return False


def authenticate(session: Session, token: str, now: datetime) -> Caller | None:
    """The caller this bearer token stands for, or None (unknown, revoked, expired, or its owner gone)."""
    if not token.startswith(PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User, AmbassadorProfile).join(User, User.id == ApiToken.user_id)
        .outerjoin(AmbassadorProfile, AmbassadorProfile.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(token))).first()
    if row is None:
        return None
    api_token, user, profile = row
    scopes = set(api_token.scope_list)
    if api_token.expires_at <= now or not _still_entitled(user, profile, scopes):
        return None
    return Caller(api_token.id, user.id, frozenset(scopes), api_token.last_used_on)


def record_last_used(connection: Connection, token_id: int, today: date) -> None:
    """Note the day the token was used. Its own connection: an API request only reads and
    never commits. Called at most once a day per token (``Caller.due_for_last_used``)."""
    connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_on=today))


@consent.on_withdrawal(Purpose.MEMBERSHIP)
def _revoke_on_leaving(session: Session, user_id: int) -> None:
    """Leaving the program (membership withdrawn) revokes the person's tokens: coming back
    later must not bring an old token, perhaps forgotten in some tool, back to life."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


@personal_data.export_section("api_tokens")
def _export_tokens(session: Session, user: User) -> list[dict]:
    return [{"name": token.name, "scopes": token.scope_list, "created_at": token.created_at.isoformat(),
             "expires_at": token.expires_at.isoformat(),
             "last_used_on": token.last_used_on.isoformat() if token.last_used_on else None}
            for token in of_person(session, user.id)]


@personal_data.erasure_step
def _erase_tokens(session: Session, user_id: int) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
