"""Acceptance: every feed of the shared real-world corpus, fetched and parsed.

The corpus lives outside the project (../shared/feeds, see its SOURCES.md)
and is never copied in; the test is skipped when it is absent.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from content_feeds import FeedError, FetchSettings, fetch_feed, parse_feed

# tests/content_feeds/test_acceptance.py -> repository root is parents[2].
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "feeds"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix == ".xml") if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason="shared feed corpus not available")
def test_real_world_corpus(feed_server):
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",))
    failures: list[str] = []
    total_entries = 0
    for path in FILES:
        body = path.read_bytes()
        route = f"/corpus/{path.parent.name}/{path.name}"
        url = feed_server.static(route, body, content_type="application/xml")
        plain_entries = len(feedparser.parse(body).entries)  # plain feedparser, defaults
        try:
            fetched = fetch_feed(url, settings=settings)
            feed = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
        except FeedError as exc:  # allowed, but only when plain feedparser found nothing either
            if plain_entries:
                failures.append(f"{path.name}: {exc.code}: {exc} (feedparser found {plain_entries} entries)")
            continue
        if plain_entries and not feed.entries:
            failures.append(f"{path.name}: no entries, feedparser found {plain_entries}")
        total_entries += len(feed.entries)
        for entry in feed.entries:
            if not (entry.title or entry.excerpt):
                failures.append(f"{path.name}: entry {entry.dedupe_key} has neither title nor excerpt")
            if entry.link is not None and (
                urlsplit(entry.link).scheme not in ("http", "https") or not urlsplit(entry.link).netloc
            ):
                failures.append(f"{path.name}: bad link {entry.link!r}")
            if entry.image_url is not None and not entry.image_url.startswith(("http://", "https://")):
                failures.append(f"{path.name}: bad image {entry.image_url!r}")
            if entry.published.tzinfo is None or entry.published.utcoffset().total_seconds() != 0:
                failures.append(f"{path.name}: date not UTC {entry.published!r}")
            if len(entry.dedupe_key) > 255:
                failures.append(f"{path.name}: key too long")
    assert not failures, "\n".join(failures)
    assert total_entries > 1000
