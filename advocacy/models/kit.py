"""The ambassador kit: pages per language, and every saved revision."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, string_enum, utcnow


class KitSection(enum.StrEnum):
    MISSION = "mission"
    FAQ = "faq"
    CONTACTS = "contacts"
    RESOURCES = "resources"


class KitPage(Base):
    """One page of the kit in one language; translations share the slug."""

    __tablename__ = "kit_pages"
    __table_args__ = (UniqueConstraint("slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    section: Mapped[KitSection] = mapped_column(string_enum(KitSection, "kit_section"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered on display
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revisions: Mapped[list[KitRevision]] = relationship(
        back_populates="page", cascade="all, delete-orphan", passive_deletes=True,
        order_by="KitRevision.id.desc()",
    )


class KitRevision(Base):
    """Every saved version of a page (the first included): who saved what, when."""

    __tablename__ = "kit_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("kit_pages.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Staff who edited; kept as None if their account is removed.
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[KitPage] = relationship(back_populates="revisions")
