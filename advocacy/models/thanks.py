"""Thanks to the network, or to one ambassador by name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .user import User


class NetworkThanks(Base):
    """Thanks posted to the network: to everyone, or to one ambassador by name
    when that person consented to it (the row goes if they withdraw)."""

    __tablename__ = "network_thanks"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(Text)
    thanked_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    thanked: Mapped[User | None] = relationship()
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
