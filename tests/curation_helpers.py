"""Shared arrangements for the curation tests: feeds, items, the editor's form."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.db import get_session
from advocacy.models import Feed, FeedItem, ItemStatus, Role
from advocacy.services import taxonomy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Store:
    """Sessions for arranging and checking, each in its own app context.

    The ``db`` fixture keeps one app context open for the whole test, which
    requests would then share (same ``g``, same session, cached locale);
    these short-lived ones keep every request as independent as in production.
    """

    def __init__(self, app):
        self.app = app

    @contextmanager
    def session(self):
        with self.app.app_context():
            session = get_session()
            yield session
            session.commit()


@pytest.fixture
def store(app):
    return Store(app)


@pytest.fixture
def needs(store):
    """The seeded needs (PostgreSQL test runs empty every table between tests)."""
    with store.session() as session:
        return taxonomy.ensure_needs(session)


@pytest.fixture
def curator(auth, needs):
    return auth.login_as(Role.CURATOR, language="en")


def make_feed(db, title: str = "News", url: str = "https://example.org/feed.xml") -> Feed:
    feed = Feed(url=url, title=title)
    db.add(feed)
    db.flush()
    return feed


def make_item(db, feed: Feed, n: int, *, published: datetime | None = None, title: str | None = None,
              excerpt: str = "", link: str | None = "auto", categories=(), status=ItemStatus.NEW) -> FeedItem:
    published = published or T0 + timedelta(hours=n)
    item = FeedItem(
        feed=feed, dedupe_key=f"k{feed.id}-{n}", title=title or f"Item {n}",
        link=f"https://example.org/news/{feed.id}/{n}" if link == "auto" else link,
        published_at=published, updated_at=published, excerpt=excerpt or f"Excerpt of item {n}",
        summary_html=f"<p>Summary of item {n}</p>", categories=list(categories), status=status,
        image_url="https://example.org/img.png",
    )
    db.add(item)
    db.flush()
    return item


def editor_form(**overrides) -> dict:
    """A complete, valid editor submission; override or drop (None) any field."""
    data = {
        "title": "Our new site in Lyon",
        "summary": "Twelve jobs.\nOpening in May.",
        "target_url": "https://example.org/news/lyon",
        "image_url": "https://demo.relais.invalid/images/lyon.png",  # drawn offline (sample_feeds.image)
        "publication": "publish",
        "publish_at": "",
        "expires_at": "",
        "texts_x-0": "We are opening in Lyon!",
        "texts_x-1": "",
        "texts_bluesky-0": "Lyon, here we come.",
        "texts_mastodon-0": "",
        "texts_linkedin-0": "A second site in Lyon: twelve jobs.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
