"""Sign-in by an e-mailed one-time link (SIGN_IN_LINKS), for people who forget passwords.

Asking for a link answers the same whether or not an account has the
address (``request_link`` returns None when no link is sent); the person's
mailbox proves who they are. The token is random and only its hash is kept;
a link works once (``consume`` marks it used in one conditional UPDATE, so
two tabs racing cannot both sign in) and for a few minutes. Opening the link
signs nobody in: mail scanners fetch links to check them, so the page asks
for a button press (a POST) before ``consume`` runs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows
from ..models import SignInLink, User
from . import accounts, ambassadors, personal_data
from .errors import ServiceError


class SignInLinkError(ServiceError):
    area = "sign_in_links"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSignInLink:
    user: User
    token: str  # shown once, in the e-mail


def may_sign_in_by_link(session: Session, user: User) -> bool:
    """Active accounts only; an ambassador who left the program signs in with their password."""
    if not user.active:
        return False
    profile = ambassadors.profile_of(session, user.id)
    return profile is None or profile.left_at is None


def request_link(session: Session, email: str, *, now: datetime, minutes: int) -> NewSignInLink | None:
    """A new link for the account with this address, or None (no such account, or not one
    that may sign in this way): the caller answers alike either way."""
    user = accounts.find_by_email(session, email)
    if user is None or not may_sign_in_by_link(session, user):
        return None
    token = secrets.token_urlsafe(32)
    session.add(SignInLink(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                           expires_at=now + timedelta(minutes=minutes)))
    session.flush()
    return NewSignInLink(user, token)


def check(session: Session, token: str, *, now: datetime) -> SignInLink:
    """The link if it can still be used (nothing is changed); else SignInLinkError."""
    link = session.scalar(select(SignInLink).where(SignInLink.token_hash == _token_hash(token)))
    if link is None:
        raise SignInLinkError("unknown")
    if link.used_at is not None:
        raise SignInLinkError("used")
    if link.expires_at <= now:
        raise SignInLinkError("expired")
    return link


def consume(session: Session, token: str, *, now: datetime) -> User:
    """Use the link, once: the person it signs in; else SignInLinkError (used, expired, unknown,
    or the account may no longer sign in this way)."""
    link = check(session, token, now=now)
    used = changed_rows(session, update(SignInLink)
                        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None), SignInLink.expires_at > now)
                        .values(used_at=now))
    if not used:  # another request used it since check() read it
        raise SignInLinkError("used")
    user = session.get(User, link.user_id)
    if user is None or not may_sign_in_by_link(session, user):
        raise SignInLinkError("unknown")
    return user


def forget_pending(session: Session, user_id: int) -> None:
    """No link of this person works any more (deactivation, erasure)."""
    session.execute(delete(SignInLink).where(SignInLink.user_id == user_id))


def prune_expired(session: Session, *, now: datetime) -> int:
    """Delete the links past their expiry, used or not; how many there were."""
    return changed_rows(session, delete(SignInLink).where(SignInLink.expires_at <= now))


@personal_data.erasure_step
def _erase_links(session: Session, user_id: int) -> None:
    forget_pending(session, user_id)
