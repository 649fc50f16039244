"""Typed results of parsing a feed (plain data, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    # Stable identity of the entry across polls: "guid+link:…" (GUID, newline,
    # link), "guid:…" (no link), "link:…" or "hash:…" (prefixed so kinds never
    # collide), at most 255 characters.
    dedupe_key: str
    guid: str | None
    title: str  # plain text
    link: str | None  # canonical absolute http(s) URL; None means not shareable
    published: datetime  # aware UTC
    updated: datetime  # aware UTC
    summary_html: str  # sanitised
    content_html: str  # sanitised
    excerpt: str  # plain text, ~300 characters
    image_url: str | None
    categories: tuple[str, ...]
    author: str | None
    # False when the feed gives the entry no date at all: published and updated are then the
    # time it was fetched, which a later fetch must not take for an edit.
    dated: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO 8601), for golden files and APIs."""
        return {
            "dedupe_key": self.dedupe_key,
            "guid": self.guid,
            "title": self.title,
            "link": self.link,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat(),
            "summary_html": self.summary_html,
            "content_html": self.content_html,
            "excerpt": self.excerpt,
            "image_url": self.image_url,
            "categories": list(self.categories),
            "author": self.author,
        }


@dataclass
class ParsedFeed:
    title: str
    site_url: str | None
    language: str | None
    entries: list[Entry] = field(default_factory=list)
    # Problems that did not stop the feed (e.g. a wrong declared charset).
    warnings: list[str] = field(default_factory=list)
    # Entries that could not be used and were left out.
    skipped_entries: int = 0
