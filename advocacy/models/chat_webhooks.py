"""The team's chat: incoming webhooks (Slack, Teams Workflows, Mattermost) and their deliveries.

A webhook's address is a secret (whoever has it can post in the channel),
so the table keeps it encrypted (``url_sealed``, services/chat_webhooks.py)
and, for display, only a hint: the host and the last 4 characters. No row
names a person: a webhook belongs to the program, not to the admin who set it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class ChatPlatform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"  # a Teams Workflows "When a Teams webhook request is received" trigger
    MATTERMOST = "mattermost"


class ChatDeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next try (next_attempt_at)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt, or the address can no longer be read
    CANCELLED = "cancelled"  # the content stopped being a published highlight before it was sent


def _enum_type(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda members: [m.value for m in members])


class ChatWebhook(Base):
    __tablename__ = "chat_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[ChatPlatform] = mapped_column(_enum_type(ChatPlatform, "chat_platform"))
    name: Mapped[str] = mapped_column(String(80))
    # Fernet token of the address, with a key derived from SECRET_KEY: it must be read back to post.
    url_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # What pages show instead of the address: "hooks.slack.com …a1b2".
    url_hint: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliveries: Mapped[list[ChatDelivery]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True)


class ChatDelivery(Base):
    """One highlight to post through one webhook: retried with back-off until sent or given up."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (
        # A highlight is announced once per webhook, however often it is saved.
        UniqueConstraint("webhook_id", "content_id"),
        # The job's question: what is due now.
        Index("ix_chat_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("chat_webhooks.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"), index=True)
    status: Mapped[ChatDeliveryStatus] = mapped_column(
        _enum_type(ChatDeliveryStatus, "chat_delivery_status"), default=ChatDeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Not before the content is published; after a failure, later and later.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A code worded by messages.py ("chat_webhooks" area) and its parameters, never the address.
    last_error: Mapped[str | None] = mapped_column(String(40))
    last_error_detail: Mapped[str | None] = mapped_column(String(200))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[ChatWebhook] = relationship(back_populates="deliveries")
