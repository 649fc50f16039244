"""Consent: the texts people agree to, and the append-only record of each decision."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Purpose(enum.StrEnum):
    MEMBERSHIP = "membership"  # joining the program: accepting the charter
    SHARE_ATTRIBUTION = "share_attribution"
    DIGEST = "digest"
    DIRECTORY = "directory"
    NAMED_THANKS = "named_thanks"
    # Notifications, one purpose per channel (docs/privacy.md says why two):
    NOTIFY_EMAIL = "notify_email"  # a grouped summary e-mail
    NOTIFY_IN_APP = "notify_in_app"  # the list under "Me"


PURPOSE_ENUM = Enum(
    Purpose, name="consent_purpose", native_enum=False, create_constraint=True, length=24,
    values_callable=lambda purposes: [p.value for p in purposes],
)


def text_digest(title: str, body: str) -> str:
    """SHA-256 of exactly what the person reads: the title, a blank line, the body."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class ConsentText(Base):
    """One version of one purpose's text in one language. Never edited: a change is a new version."""

    __tablename__ = "consent_texts"
    __table_args__ = (UniqueConstraint("purpose", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(PURPOSE_ENUM)
    version: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # Only for the charter (membership): how long a mandate lasts.
    mandate_months: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@event.listens_for(ConsentText, "before_insert")
def _hash_text(_mapper, _connection, text: ConsentText) -> None:
    text.sha256 = text_digest(text.title, text.body)


class ConsentChannel(enum.StrEnum):
    WEB = "web"
    EMAIL = "email"  # the one-click link in an e-mail (unsubscribe)


class ConsentRecord(Base):
    """Append-only: who decided what about which purpose, when, on which exact text."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_purpose", "user_id", "purpose", "id"),
                      Index("ix_consent_records_purpose", "purpose", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[Purpose] = mapped_column(PURPOSE_ENUM)
    granted: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text_version: Mapped[int]
    text_sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[ConsentChannel] = mapped_column(
        Enum(ConsentChannel, name="consent_channel", native_enum=False, create_constraint=True, length=8,
             values_callable=lambda channels: [c.value for c in channels]))


@event.listens_for(ConsentRecord, "before_update")
def _append_only(_mapper, _connection, _record) -> None:
    raise ValueError("consent records are append-only: add a new record instead")
