"""Curated content: what ambassadors are offered to share, and its taxonomy.

A content's status (draft, scheduled, published, expired, archived) is never
stored: it follows from its times and is computed at query time (see
``advocacy.services.contents``), so nothing has to run for a post to go live
or to expire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .feeds import FeedItem
from .user import User

content_needs = Table(
    "content_needs",
    Base.metadata,
    Column("content_id", ForeignKey("contents.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
)

content_topics = Table(
    "content_topics",
    Base.metadata,
    Column("content_id", ForeignKey("contents.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Need(Base):
    """What an ambassador may want from the program; a fixed, seeded list."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    def label(self, language: str) -> str:
        return self.label_fr if language == "fr" else self.label_en


class Topic(Base):
    """A subject, named by the curators in French, English or both (they pick the words)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    # At least one of the two (services.taxonomy); each unique in its language.
    name_fr: Mapped[str | None] = mapped_column(String(80), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[CategoryTopic]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CategoryTopic.category",
    )

    def label(self, language: str) -> str:
        """The name in ``language``, else the one the curators gave in the other language."""
        return topic_label(self.name_fr, self.name_en, language)

    @property
    def names(self) -> list[str]:
        return [name for name in (self.name_fr, self.name_en) if name]


def topic_label(name_fr: str | None, name_en: str | None, language: str) -> str:
    """A topic's name in ``language``, falling back on the other (also for names kept in revisions)."""
    own, other = (name_fr, name_en) if language == "fr" else (name_en, name_fr)
    return own or other or ""


class CategoryTopic(Base):
    """A feed category (lower-cased) that suggests a topic when an item is approved."""

    __tablename__ = "category_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(200), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)

    topic: Mapped[Topic] = relationship(back_populates="categories")


class Content(Base):
    __tablename__ = "contents"
    __table_args__ = (
        # The ambassador feed: visible content, newest first.
        Index("ix_contents_publish_at", "publish_at", "id"),
        # The feed's other candidates: the few highlights, without reading the archive.
        Index("ix_contents_highlighted", "highlighted", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable once created: tracked links use it as utm_campaign.
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # Plain text; line breaks are kept when shown. Never rendered as HTML.
    summary: Mapped[str] = mapped_column(Text, default="")
    # Where the image came from (as the curator or the feed gave it), and the
    # copy Relais serves: ambassadors' browsers only ever load the copy.
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("images.sha256", ondelete="SET NULL"))
    target_url: Mapped[str] = mapped_column(String(2048), index=True)
    # None for content written by hand; deleting the feed keeps the content.
    feed_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_items.id", ondelete="SET NULL"), index=True
    )
    # None: a draft. In the future: scheduled. Otherwise published until expires_at.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    highlighted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    feed_item: Mapped[FeedItem | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    texts: Mapped[list[ShareText]] = relationship(
        back_populates="content", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(ShareText.network, ShareText.position)",
    )
    needs: Mapped[list[Need]] = relationship(secondary=content_needs, order_by=Need.position)
    # Pages sort them by their name in the reader's language (templating.topic_names).
    topics: Mapped[list[Topic]] = relationship(secondary=content_topics, order_by=Topic.id)
    revisions: Mapped[list[ContentRevision]] = relationship(
        back_populates="content", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ContentRevision.id.desc()",
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def texts_for(self, network: str) -> list[str]:
        return [t.text for t in self.texts if t.network == network]


class ShareText(Base):
    """One suggested wording for one network; several per network vary the posts."""

    __tablename__ = "share_texts"
    __table_args__ = (UniqueConstraint("content_id", "network", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)

    content: Mapped[Content] = relationship(back_populates="texts")


class ContentRevision(Base):
    """Who changed what on a content, and when: {field: [old, new]}."""

    __tablename__ = "content_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    content: Mapped[Content] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()
