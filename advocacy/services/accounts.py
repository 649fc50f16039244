"""Accounts: creating people, signing in, invitations, roles and status."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Invitation, Role, User, utcnow
from . import passwords
from .errors import ServiceError


class AccountError(ServiceError):
    area = "accounts"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session, *, email: str, name: str, password: str, role: Role,
    language: str | None = None,
) -> User:
    if find_by_email(session, email) is not None:
        raise AccountError("email_taken")
    user = User(
        email=normalise_email(email), name=name.strip(), role=role,
        password_hash=passwords.hash_password(password), language=language,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; never says which part was wrong."""
    user = find_by_email(session, email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


# --- invitations -------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # shown once, in the e-mail; only its hash is stored


def invite(
    session: Session, *, email: str, role: Role, invited_by: User | None, ttl_days: int,
    language: str | None = None,
) -> NewInvitation:
    """``language``: the invitee's, for the e-mail and, unless they pick another, their account."""
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise AccountError("email_taken")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email, role=role, token_hash=_token_hash(token),
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + timedelta(days=ttl_days), language=language,
    )
    session.add(invitation)
    session.flush()
    return NewInvitation(invitation, token)


def allowed_join_domain(email: str, domains) -> bool:
    """Open join is limited to the organisation's own domains (a list or 'a.org, b.org')."""
    if isinstance(domains, str):
        domains = domains.replace(",", " ").split()
    domain = normalise_email(email).rpartition("@")[2]
    return bool(domain) and domain in {d.strip().lower().lstrip("@") for d in domains or []}


def request_join(session: Session, email: str, *, ttl_days: int, language: str | None = None) -> NewInvitation | None:
    """A self-invitation as ambassador, confirmed by the e-mailed link.

    Returns None when the address already has an account, so the caller says
    the same thing either way and nobody learns who has an account.
    """
    if find_by_email(session, email) is not None:
        return None
    return invite(session, email=email, role=Role.AMBASSADOR, invited_by=None, ttl_days=ttl_days, language=language)


def find_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The invitation for this token if it can still be used; else AccountError."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None:
        raise AccountError("invitation_unknown")
    if invitation.used_at is not None:
        raise AccountError("invitation_used")
    if invitation.expires_at <= (now or utcnow()):
        raise AccountError("invitation_expired")
    return invitation


def accept_invitation(
    session: Session, token: str, *, name: str, password: str, language: str | None,
) -> User:
    invitation = find_invitation(session, token)
    if find_by_email(session, invitation.email) is not None:
        # An account was made for this address since the invitation: its owner signs in instead.
        raise AccountError("already_registered")
    user = create_user(
        session, email=invitation.email, name=name, password=password,
        role=invitation.role, language=language,
    )
    invitation.used_at = utcnow()
    invitation.user_id = user.id
    session.flush()
    return user


def pending_invitations(session: Session) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation)
        .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ))


def revoke_invitation(session: Session, invitation_id: int) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at is not None:
        raise AccountError("invitation_gone")
    session.delete(invitation)


# --- administration ----------------------------------------------------------

def active_admin_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ) or 0


def set_role(session: Session, user: User, role: Role) -> None:
    if user.role == Role.ADMIN and role != Role.ADMIN and active_admin_count(session) <= 1:
        raise AccountError("last_admin")
    user.role = role


def set_active(session: Session, user: User, active: bool, *, acting: User) -> None:
    if not active and user.id == acting.id:
        raise AccountError("cannot_deactivate_self")
    if not active and user.role == Role.ADMIN and active_admin_count(session) <= 1:
        raise AccountError("last_admin")
    user.active = active
    if not active:
        # Imported here: both register an erasure step, and
        # personal_data (which holds the steps) imports this module.
        from . import sign_in_links, user_sessions

        user_sessions.end_all(session, user.id)
        sign_in_links.forget_pending(session, user.id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.name)))
