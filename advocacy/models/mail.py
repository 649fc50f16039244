"""The mail outbox: every e-mail Relais sends, written in the transaction that causes it.

A row is queued by the change that causes the e-mail and sent later by the
``send-mail`` job (services/mail_outbox.py), so a rollback drops the e-mail
and no request waits on a mail server. The rendered message is kept only
until it leaves: a sent row keeps no body.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, string_enum, utcnow


class MailKind(enum.StrEnum):
    """What an e-mail is: the admins' page names it, outcome hooks are keyed on it."""

    INVITATION = "invitation"
    JOIN_CONFIRMATION = "join_confirmation"
    SIGN_IN_LINK = "sign_in_link"
    DIGEST = "digest"
    DIGEST_PREVIEW = "digest_preview"
    RENEWAL_NOTICE = "renewal_notice"
    NOTIFICATIONS = "notifications"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its next try (``next_attempt_at``)
    SENDING = "sending"  # claimed by one sender run, which is handing it over
    SENT = "sent"  # accepted by the mail server (or written to instance/outbox/); body dropped
    FAILED = "failed"  # refused for good, out of attempts, or interrupted mid-send: never sent again


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the e-mail is (invitation, sign_in_link, digest...): for the admins' page and the outcome hooks.
    kind: Mapped[str] = mapped_column(String(32))
    # Whose it is, for erasure; None for an invitation to someone with no account yet.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The address it goes to, lower-cased: erasure also finds mail by address.
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    # What the caller needs to recognise its row in an outcome hook (the digest's week).
    reference: Mapped[str | None] = mapped_column(String(64))
    # The message as it will leave; None once sent or failed for good (nothing of it outlives them).
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[MailStatus] = mapped_column(string_enum(MailStatus, "mail_status"), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The class of the last error (ConnectionRefusedError, SMTPRecipientsRefused...), never its text,
    # which can quote the address.
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
