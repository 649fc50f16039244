"""What the JSON API answers: pages of contents and feeds, insights, suggestions, as plain JSON data.

Lists are read by keyset (id ascending, ``id > after``) and the position is
handed out as an opaque, signed cursor: a row inserted while a client pages
through gets a larger id, so it turns up on a later page, and no row is
seen twice or skipped. The shapes here are the ones the OpenAPI document
(``services/api_openapi.py``) describes; the tests check every answer
against it.

Insights go out under the same k rule as the pages: they are built by
``insights.insights`` and only re-shaped here, so a count of people is a
band of k or hidden ("fewer than k"), never a figure a page would not show,
and no person is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Content, Feed
from .anonymity import Band, Hidden, Rate
from .contents import status_of
from .errors import ServiceError
from .insights import Counts, Insights, Row
from .personal_feed import Page as SuggestionPage

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_SUGGESTIONS = 50
_CURSOR_SALT = "api-cursor"


class ApiRequestError(ServiceError):
    """A parameter of an API request that cannot be used; answered as a 400 problem."""

    area = "api"


def parse_limit(text: str | None, maximum: int = MAX_LIMIT) -> int:
    if text is None or not text.strip():
        return min(DEFAULT_LIMIT, maximum)
    digits = text.strip()
    # ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and other scripts' digits.
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= maximum:
        raise ApiRequestError("bad_limit", max=maximum)
    return int(digits)


@dataclass(frozen=True)
class Cursors:
    """Signs and reads the cursors of one list (``kind``): a cursor of another list is refused."""

    secret: str
    kind: str

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=_CURSOR_SALT)

    def make(self, after_id: int) -> str:
        return str(self._serializer().dumps([self.kind, after_id]))

    def read(self, cursor: str | None) -> int:
        """The id the page starts after (0: the first page); ApiRequestError for a cursor we did not make."""
        if not cursor:
            return 0
        try:
            kind, after_id = self._serializer().loads(cursor)
        except (BadSignature, ValueError, TypeError):
            raise ApiRequestError("bad_cursor") from None
        if kind != self.kind or not isinstance(after_id, int):
            raise ApiRequestError("bad_cursor")
        return after_id


@dataclass(frozen=True)
class ListPage:
    items: list[dict]
    next_cursor: str | None

    def as_json(self) -> dict:
        return {"items": self.items, "next_cursor": self.next_cursor}


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _keyset(session: Session, statement, id_column, after_id: int, limit: int) -> tuple[list, bool]:
    rows = list(session.scalars(statement.where(id_column > after_id).order_by(id_column).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


# --- contents ---------------------------------------------------------------------

def content_json(content: Content, now: datetime, language: str) -> dict:
    """A content as staff see it in curation: no person (not who wrote or edited it)."""
    return {
        "id": content.id,
        "slug": content.slug,
        "title": content.title,
        "summary": content.summary,
        "url": content.target_url,
        "status": status_of(content, now).value,
        "publish_at": _iso(content.publish_at),
        "expires_at": _iso(content.expires_at),
        "highlighted": content.highlighted,
        "needs": [need.key for need in content.needs],
        "topics": [topic.label(language) for topic in content.topics],
        "texts": [{"network": text.network, "text": text.text} for text in content.texts],
        "created_at": _iso(content.created_at),
        "updated_at": _iso(content.updated_at),
    }


def _contents_statement():
    return select(Content).options(selectinload(Content.needs), selectinload(Content.topics),
                                   selectinload(Content.texts))


def contents_page(session: Session, cursors: Cursors, cursor: str | None, limit: int, now: datetime,
                  language: str) -> ListPage:
    rows, more = _keyset(session, _contents_statement(), Content.id, cursors.read(cursor), limit)
    return ListPage([content_json(row, now, language) for row in rows],
                    cursors.make(rows[-1].id) if more else None)


def one_content(session: Session, content_id: int, now: datetime, language: str) -> dict | None:
    content = session.scalars(_contents_statement().where(Content.id == content_id)).first()
    return content_json(content, now, language) if content is not None else None


# --- feeds ------------------------------------------------------------------------

def feed_json(feed: Feed) -> dict:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "site_url": feed.site_url,
        "enabled": feed.enabled,
        "interval_minutes": feed.interval_minutes,
        "last_checked_at": _iso(feed.last_checked_at),
        "last_success_at": _iso(feed.last_success_at),
        "consecutive_errors": feed.consecutive_errors,
        "last_error_code": feed.last_error_code,
        "created_at": _iso(feed.created_at),
    }


def feeds_page(session: Session, cursors: Cursors, cursor: str | None, limit: int) -> ListPage:
    rows, more = _keyset(session, select(Feed), Feed.id, cursors.read(cursor), limit)
    return ListPage([feed_json(row) for row in rows], cursors.make(rows[-1].id) if more else None)


# --- insights ---------------------------------------------------------------------

def people_json(value: int | Hidden | Band) -> dict:
    """A count of people as the pages show it: a band of k, or hidden; 0 (nobody) as the band 0–0."""
    if isinstance(value, Hidden):
        return {"hidden": True, "fewer_than": value.k}
    if isinstance(value, Band):
        return {"low": value.low, "high": value.high}
    return {"low": value, "high": value}


def rate_json(value: Rate | Hidden | None) -> dict | None:
    if value is None:
        return None
    if isinstance(value, Hidden):
        return {"hidden": True, "fewer_than": value.k}
    return {"low": value.low, "high": value.high}


def _counts(counts: Counts) -> dict:
    return {"shares": counts.shares, "clicks": counts.clicks, "previews": counts.previews}


def _rows(rows: list[Row], key_name: str) -> list[dict]:
    return [{key_name: row.key, "label": row.label, **_counts(row.counts)} for row in rows]


def insights_json(figures: Insights) -> dict[str, Any]:
    participation = figures.participation
    return {
        "range": {"start": figures.range.start.isoformat(), "end": figures.range.end.isoformat()},
        "k": figures.k,
        "totals": _counts(figures.totals),
        "weeks": [{"week": row.key, **_counts(row.counts)} for row in figures.weeks],
        "networks": [{"network": row.key, **_counts(row.counts)} for row in figures.networks],
        "topics": _rows(figures.topics, "id"),
        "needs": _rows(figures.needs, "id"),
        "top_content": _rows(figures.top_content, "id"),
        "participation": {"active": people_json(participation.active),
                          "sharers": people_json(participation.sharers),
                          "percent": rate_json(participation.percent)},
        "departments": [{"label": row.label, "other": row.other, "active": people_json(row.active),
                         "sharers": people_json(row.sharers), "percent": rate_json(row.percent)}
                        for row in figures.departments],
    }


# --- the ambassador's own suggestions ---------------------------------------------

def suggestions_json(page: SuggestionPage, language: str) -> dict:
    return {"items": [{
        "id": suggestion.content.id,
        "title": suggestion.content.title,
        "summary": suggestion.content.summary,
        "url": suggestion.content.target_url,
        "publish_at": _iso(suggestion.content.publish_at),
        "highlighted": suggestion.content.highlighted,
        "score": suggestion.score,
        "why": {"needs": [need.key for need in suggestion.needs],
                "topics": [topic.label(language) for topic in suggestion.topics]},
    } for suggestion in page.suggestions]}
