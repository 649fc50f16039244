"""Feed refresh is one function used one way: adding a feed on the web and the
scheduler store the same thing, no database connection waits on the network,
and a failing feed never stops the others."""

import ast
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy import create_app, jobs
from advocacy.db import get_engine, get_session
from advocacy.models import Feed, FeedItem, Role
from advocacy.services import ingest, sample_feeds

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Cooperative news</title><link>https://example.org/news/</link>
<item><title>Solar roofs</title><link>https://example.org/news/1?utm_source=feed</link><guid>n-1</guid>
<pubDate>Mon, 06 Jan 2025 09:00:00 GMT</pubDate><category>energy</category>
<description>&lt;p&gt;Twelve roofs &lt;b&gt;this year&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Open day</title><link>https://example.org/news/2</link><guid>n-2</guid>
<pubDate>Tue, 07 Jan 2025 09:00:00 GMT</pubDate><description>Come and see.</description></item>
</channel></rss>"""
HEADERS = {"ETag": '"v1"', "Last-Modified": "Tue, 07 Jan 2025 10:00:00 GMT"}

ITEM_COLUMNS = ("dedupe_key", "guid", "title", "link", "published_at", "updated_at", "summary_html",
                "content_html", "excerpt", "image_url", "categories", "author", "status")


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
def connections_while_fetching(app, feed_server):
    """Serve RSS at a path, noting how many database connections are checked out
    at the moment each request reaches the server (the fetch is waiting)."""
    with app.app_context():
        pool = get_engine().pool
    seen: list[int] = []

    def serve(path: str, body: bytes = RSS, status: int = 200) -> str:
        def handler(request):
            seen.append(pool.checkedout())
            request.send_response(status)
            request.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            for name, value in HEADERS.items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        return feed_server.route(path, handler)

    serve.seen = seen
    return serve


def add_feeds(app, *urls: str) -> None:
    with app.app_context():
        session = get_session()
        session.add_all(Feed(url=url, interval_minutes=30) for url in urls)
        session.commit()


def run_scheduled_refresh(app) -> None:
    jobs.run_job(app, jobs.refresh_due_feeds, need_lease=False)  # in its own app context, as scheduled


def stored(app, url: str) -> tuple[dict, list[tuple]]:
    with app.app_context():
        session = get_session()
        feed = session.scalar(select(Feed).where(Feed.url == url))
        health = {
            "title": feed.title, "site_url": feed.site_url, "etag": feed.etag, "last_modified": feed.last_modified,
            "interval": feed.interval_minutes, "enabled": feed.enabled, "errors": feed.consecutive_errors,
            "error": feed.last_error_code, "last_success_at": feed.last_success_at,
            "succeeded": feed.last_success_at is not None and feed.last_success_at == feed.last_checked_at,
            "next_check_in": feed.next_check_at - feed.last_checked_at,
        }
        items = sorted(tuple(getattr(item, column) for column in ITEM_COLUMNS)
                       for item in session.scalars(select(FeedItem).where(FeedItem.feed_id == feed.id)))
    return health, items


def test_adding_on_the_web_and_the_scheduled_job_store_the_same_feed(app, client, auth,
                                                                    connections_while_fetching):
    added_url = connections_while_fetching("/same/added.xml")
    polled_url = connections_while_fetching("/same/polled.xml")
    auth.login_as(Role.CURATOR, language="en")
    assert client.post("/feeds/", data={"url": added_url, "interval": "30"}).status_code == 302
    add_feeds(app, polled_url)
    run_scheduled_refresh(app)  # the added feed is not due yet: only the polled one is fetched

    (added, added_items), (polled, polled_items) = stored(app, added_url), stored(app, polled_url)
    assert added.pop("last_success_at") < polled.pop("last_success_at")  # two fetches, one after the other
    assert (added, added_items) == (polled, polled_items)
    health, items = added, added_items
    assert health["title"] == "Cooperative news" and health["etag"] == '"v1"' and health["succeeded"]
    assert health["next_check_in"] == timedelta(minutes=30)
    assert {item[3] for item in items} == {"https://example.org/news/1", "https://example.org/news/2"}
    # Neither the web request nor the job held a connection while waiting on its one feed.
    # (With several feeds, the writing of one may overlap the fetching of another.)
    assert connections_while_fetching.seen == [0, 0]


def test_a_failing_feed_leaves_the_others_refreshed(app, connections_while_fetching):
    first = connections_while_fetching("/batch/first.xml")
    broken = connections_while_fetching("/batch/broken.xml", body=b"down", status=500)
    last = connections_while_fetching("/batch/last.xml")
    add_feeds(app, first, broken, last)
    run_scheduled_refresh(app)

    for url in (first, last):
        health, items = stored(app, url)
        assert health["succeeded"] and health["errors"] == 0 and len(items) == 2
    with app.app_context():
        failed = get_session().scalar(select(Feed).where(Feed.url == broken))
    assert failed.consecutive_errors == 1 and failed.last_error_code == "server_error"
    assert failed.last_success_at is None and failed.enabled
    assert failed.next_check_at - failed.last_checked_at == timedelta(minutes=60)  # backed off


def test_a_feed_that_cannot_be_written_is_recorded_as_failing(db):
    feed = Feed(url=sample_feeds.sample_feeds()[0][0])
    db.add(feed)
    db.commit()
    outcome = ingest.fetch_one(ingest.FeedRequest.of(feed), ingest.FeedSettings().fetch)
    unwritable = replace(outcome.parsed.entries[0], categories=(object(),))  # no JSON for it
    outcome.parsed = replace(outcome.parsed, entries=[unwritable])

    report = ingest.commit_outcome(db, outcome, ingest.FeedSettings())

    assert report.error is not None and report.error.code == "feed_error"
    db.expire_all()
    assert feed.consecutive_errors == 1 and feed.last_error_code == "feed_error"
    assert feed.next_check_at > feed.last_checked_at  # backs off instead of failing every minute
    assert db.scalar(select(func.count()).select_from(FeedItem)) == 0


def test_a_wrong_feed_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError):
        create_app({"SECRET_KEY": "x", "FEED_ALLOWED_NETWORKS": "10.0.0.0/33"}, instance_path=str(tmp_path))


# --- only FeedSettings.from_config reads the FEED_* keys ---------------------------

ADVOCACY = Path(__file__).resolve().parents[1] / "advocacy"
# config.py holds the defaults; services/ingest.py holds FeedSettings.from_config.
ALLOWED = {ADVOCACY / "config.py", ADVOCACY / "services" / "ingest.py"}


def feed_keys_read(source: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("FEED_")]


def test_the_guard_sees_a_feed_key_read_elsewhere():
    assert feed_keys_read('limit = int(current_app.config["FEED_MAX_BYTES"])') == ["FEED_MAX_BYTES"]
    assert feed_keys_read('config.get("FEED_WORKERS", 4)') == ["FEED_WORKERS"]


def test_no_code_but_the_feed_settings_reads_feed_keys():
    readers = {str(path.relative_to(ADVOCACY)): keys for path in sorted(ADVOCACY.rglob("*.py"))
               if path not in ALLOWED and (keys := feed_keys_read(path.read_text()))}
    assert readers == {}
