"""Tokens for the read-only JSON API (/api/v1/): only a hash of each is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer token with scopes, owned by one person (an admin for staff scopes, an ambassador for me:read).

    The token itself is shown once, at creation; the table keeps its SHA-256,
    so a copy of the table opens nothing. ``last_used_on`` is a day, written
    at most once a day per token, so that reading the API costs no write per
    request and the table says nothing finer about when someone used it.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated, from services.api_tokens.STAFF_SCOPES or PERSONAL_SCOPES.
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_on: Mapped[date | None] = mapped_column(Date)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
