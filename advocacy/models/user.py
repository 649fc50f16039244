"""People and how they get in: accounts and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    AMBASSADOR = "ambassador"
    CURATOR = "curator"
    ADMIN = "admin"


ROLE_ENUM = Enum(
    Role,
    name="role",
    native_enum=False,
    create_constraint=True,
    length=16,
    values_callable=lambda roles: [r.value for r in roles],
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(ROLE_ENUM, default=Role.AMBASSADOR)
    # None: follow the browser. Otherwise one of the configured LANGUAGES.
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Flask-Login protocol, written out rather than inherited from UserMixin.
    # Whether a cookie still signs someone in is a UserSession row's business.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.CURATOR, Role.ADMIN)


class Invitation(Base):
    """A single-use, expiring invitation. Only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The invitee's language, chosen by the admin: the e-mail's, and the account's unless they change it.
    language: Mapped[str | None] = mapped_column(String(8))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class UserSession(Base):
    """One signed-in browser: the session exists while this row does.

    The cookie carries a random token and only its SHA-256 is kept here, so a
    copy of the table signs nobody in. Signing out deletes the row, which is
    what makes an old copy of the cookie useless. Rows are few and small:
    "keep me signed in on this device" can add an expiry column, and a list
    of devices can show created/last seen and end one by its id.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most every few minutes (services.user_sessions.LAST_SEEN_STEP).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # "Keep me signed in on this device": a cookie that outlives the browser,
    # and REMEMBER_DAYS unused instead of SESSION_IDLE_DAYS before it ends.
    persistent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Browser and system, e.g. "Firefox · Android" (services.devices): enough
    # to tell one's devices apart, never an address or the full User-Agent.
    device: Mapped[str] = mapped_column(String(60), default="", server_default="")


class SignInLink(Base):
    """An e-mailed one-time sign-in link (SIGN_IN_LINKS). Only a hash of the token is stored.

    Kept once used (``used_at``) until it expires, so a second use is told
    it was used; the prune-sessions job deletes expired rows.
    """

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
