"""Images Relais serves itself: feed and content pictures, fetched once and re-encoded.

Content-addressed: the key is the SHA-256 of the stored (re-encoded) bytes,
so one picture used by many items is stored once, its URL never changes
meaning, and browsers may cache it for ever. Kept in the database, not in
files, so backups and several web workers need nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class StoredImage(Base):
    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
