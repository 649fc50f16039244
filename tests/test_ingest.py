"""Ingestion into the database: items, de-duplication, feed health and back-off."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import content_feeds
from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import Feed, FeedItem, ItemStatus, utcnow
from advocacy.services import ingest, ingest_store, sample_feeds

SAMPLE_URL = sample_feeds.sample_feeds()[0][0]


def count_items(session, feed_id=None):
    query = select(func.count()).select_from(FeedItem)
    if feed_id is not None:
        query = query.where(FeedItem.feed_id == feed_id)
    return session.scalar(query)


def add_feed(session, url=SAMPLE_URL, **values):
    feed = Feed(url=url, **values)
    session.add(feed)
    session.commit()
    return feed


def outcome_for(feed, **changes):
    outcome = ingest.fetch_one(ingest.FeedRequest.of(feed), ingest.FeedSettings().fetch)
    for name, value in changes.items():
        setattr(outcome, name, value)
    return outcome


def test_new_entries_enter_the_queue_once(db):
    feed = add_feed(db)
    settings = ingest.FeedSettings()
    report = ingest.apply_outcome(db, outcome_for(feed), settings)
    db.commit()
    assert report.new_items > 0
    assert count_items(db) == report.new_items
    assert {item.status for item in db.scalars(select(FeedItem))} == {ItemStatus.NEW}
    again = ingest.apply_outcome(db, outcome_for(feed), settings)
    db.commit()
    assert again.new_items == 0 and again.updated_items == 0
    assert count_items(db) == report.new_items
    assert feed.last_success_at is not None and feed.consecutive_errors == 0
    assert feed.title  # taken from the feed


def test_known_entry_is_updated_only_while_uncurated(db):
    feed = add_feed(db)
    settings = ingest.FeedSettings()
    outcome = outcome_for(feed)
    ingest.apply_outcome(db, outcome, settings)
    db.commit()
    first, second = outcome.parsed.entries[:2]
    items = {item.dedupe_key: item for item in db.scalars(select(FeedItem))}
    items[second.dedupe_key].status = ItemStatus.SKIPPED
    db.commit()
    changed = [replace(first, title="Changed title"), replace(second, title="Changed too")]
    new, updated = ingest_store.store_entries(db, feed.id, changed, utcnow())
    db.commit()
    db.expire_all()
    assert (new, updated) == (0, 1)
    assert items[first.dedupe_key].title == "Changed title"
    assert items[second.dedupe_key].title == second.title  # curated: left alone


def test_two_ingests_at_once_create_no_duplicates(app):
    with app.app_context():
        session = get_session()
        feed = add_feed(session)
        request = ingest.FeedRequest.of(feed)
    outcome = ingest.fetch_one(request, ingest.FeedSettings().fetch)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                session = get_session()
                barrier.wait()
                ingest_store.store_entries(session, request.feed_id, outcome.parsed.entries, utcnow())
                session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context():
        keys = {entry.dedupe_key for entry in outcome.parsed.entries}
        assert count_items(get_session()) == len(keys)


def test_entry_without_usable_link_is_kept_but_not_shareable(db):
    feed = add_feed(db)
    entry = outcome_for(feed).parsed.entries[0]
    ingest_store.store_entries(db, feed.id, [replace(entry, link=None, dedupe_key="hash:x")], utcnow())
    db.commit()
    item = db.scalar(select(FeedItem).where(FeedItem.dedupe_key == "hash:x"))
    assert item is not None and item.shareable is False


def failure(feed, error):
    return ingest.Outcome(ingest.FeedRequest.of(feed), fetched_at=utcnow(), error=error)


def test_back_off_doubles_and_is_capped(db):
    feed = add_feed(db, interval_minutes=30)
    settings = ingest.FeedSettings()
    delays = []
    for _ in range(7):
        outcome = failure(feed, content_feeds.ServerError(status=500))
        ingest.apply_outcome(db, outcome, settings)
        delays.append(feed.next_check_at - outcome.fetched_at)
    db.commit()
    assert delays[:5] == [timedelta(minutes=30 * 2 ** n) for n in range(1, 6)]
    assert delays[5] == delays[6] == timedelta(hours=24)
    assert feed.consecutive_errors == 7 and feed.enabled
    assert feed.last_error_code == "server_error" and feed.last_error_params["status"] == 500


def test_retry_after_is_respected(db):
    feed = add_feed(db, interval_minutes=10)
    outcome = failure(feed, content_feeds.RateLimitedError(status=429, retry_after=7200))
    ingest.apply_outcome(db, outcome, ingest.FeedSettings())
    assert feed.next_check_at - outcome.fetched_at == timedelta(hours=2)


def test_feed_is_disabled_after_max_errors(db):
    feed = add_feed(db)
    settings = ingest.FeedSettings(max_errors=3)
    reports = [ingest.apply_outcome(db, failure(feed, content_feeds.ConnectError(host="x")), settings)
               for _ in range(3)]
    assert [r.disabled for r in reports] == [False, False, True]
    assert feed.enabled is False and feed.disabled_reason == "errors"


def test_gone_disables_at_once(db):
    feed = add_feed(db)
    ingest.apply_outcome(db, failure(feed, content_feeds.GoneError(status=410)), ingest.FeedSettings())
    assert feed.enabled is False and feed.disabled_reason == "gone"


def test_success_resets_errors(db):
    feed = add_feed(db, consecutive_errors=4, last_error_code="timeout")
    ingest.apply_outcome(db, outcome_for(feed), ingest.FeedSettings())
    assert feed.consecutive_errors == 0 and feed.last_error_code is None
    assert feed.next_check_at == feed.last_checked_at + timedelta(minutes=feed.interval_minutes)


def test_permanent_redirect_updates_url_unless_taken(db):
    feed = add_feed(db)
    other = add_feed(db, url="https://example.org/taken.xml")
    outcome = outcome_for(feed)
    outcome.result = replace(outcome.result, permanent_url="https://example.org/moved.xml")
    ingest.apply_outcome(db, outcome, ingest.FeedSettings())
    assert feed.url == "https://example.org/moved.xml"
    outcome.result = replace(outcome.result, permanent_url=other.url)
    ingest.apply_outcome(db, outcome, ingest.FeedSettings())
    assert feed.url == "https://example.org/moved.xml"


def test_one_broken_feed_does_not_stop_the_others(app, db):
    good = add_feed(db)
    broken = add_feed(db, url="http://127.0.0.1:9/nothing-listens-here.xml")
    reports = ingest.refresh_feeds(db, [ingest.FeedRequest.of(broken), ingest.FeedRequest.of(good)],
                                   ingest.FeedSettings())
    by_feed = {report.feed_id: report for report in reports}
    assert by_feed[good.id].new_items > 0 and by_feed[good.id].error is None
    assert by_feed[broken.id].error is not None
    db.expire_all()
    assert db.get(Feed, broken.id).last_error_code == "blocked_address"  # 127.0.0.1 without allow-list
    assert count_items(db, good.id) == by_feed[good.id].new_items


def test_scheduled_job_takes_only_due_enabled_feeds(app, db):
    due = add_feed(db)
    later = add_feed(db, url=sample_feeds.sample_feeds()[1][0], next_check_at=utcnow() + timedelta(hours=1))
    off = add_feed(db, url=sample_feeds.sample_feeds()[2][0], enabled=False)
    jobs.refresh_due_feeds()
    db.expire_all()
    assert db.get(Feed, due.id).last_checked_at is not None
    assert db.get(Feed, later.id).last_checked_at is None
    assert db.get(Feed, off.id).last_checked_at is None


def test_deleting_a_feed_removes_its_items(db):
    feed = add_feed(db)
    ingest.apply_outcome(db, outcome_for(feed), ingest.FeedSettings())
    db.commit()
    db.delete(feed)
    db.commit()
    assert count_items(db) == 0


@pytest.mark.parametrize("networks,expected", [
    ("10.0.0.0/8, 192.168.1.0/24", 2), (["10.0.0.0/8"], 1), ([], 0)])
def test_allowed_networks_setting(app, networks, expected):
    config = dict(app.config, FEED_ALLOWED_NETWORKS=networks)
    assert len(ingest.FeedSettings.from_config(config).fetch.allowed_networks) == expected


UNDATED_AND_DATED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Undated</title><link>https://example.org/</link>
<item><title>No date here</title><link>https://example.org/a</link><guid>a</guid></item>
<item><title>Dated</title><link>https://example.org/b</link><guid>b</guid>
<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_an_entry_without_a_date_keeps_its_first_fetch_time_and_is_not_rewritten(db):
    feed = add_feed(db, url="https://example.org/undated.xml")
    first_fetch = utcnow()
    first = content_feeds.parse_feed(UNDATED_AND_DATED, url="https://example.org/undated.xml", fetched_at=first_fetch)
    assert [entry.dated for entry in first.entries] == [False, True]
    assert ingest_store.store_entries(db, feed.id, first.entries, first_fetch) == (2, 0)
    db.commit()
    later = first_fetch + timedelta(hours=3)
    again = content_feeds.parse_feed(UNDATED_AND_DATED, url="https://example.org/undated.xml", fetched_at=later)
    assert again.entries[0].published == later  # the parser can only say "now"...
    assert ingest_store.store_entries(db, feed.id, again.entries, later) == (0, 0)  # ...which is no edit
    db.commit()
    db.expire_all()
    undated = db.scalar(select(FeedItem).where(FeedItem.guid == "a"))
    assert ingest_utc(undated.published_at) == first_fetch
    # A real edit of an undated entry is still taken, its first dates kept.
    edited = [replace(again.entries[0], title="Now with a better title")]
    assert ingest_store.store_entries(db, feed.id, edited, later) == (0, 1)
    db.commit()
    db.expire_all()
    undated = db.scalar(select(FeedItem).where(FeedItem.guid == "a"))
    assert undated.title == "Now with a better title" and ingest_utc(undated.published_at) == first_fetch


def ingest_utc(moment):
    """SQLite gives naive UTC datetimes back, PostgreSQL aware ones."""
    from datetime import UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
