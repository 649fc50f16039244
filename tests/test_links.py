"""Tracked links /s/<code> over HTTP: the redirect, what is counted, what is never stored."""

from __future__ import annotations

import http.client
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import Date, Integer, func, inspect, select, table, update
from werkzeug.serving import make_server

from advocacy.blueprints import links
from advocacy.db import get_engine, get_session
from advocacy.models import ClickCount, Content, Role, TrackedLink, utcnow
from advocacy.services import clicks
from test_personal_feed import publish, world  # noqa: F401

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PREVIEW_AGENTS = [
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Twitterbot/1.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "http.rb/5.1.1 (Mastodon/4.2.8; +https://piaille.fr/)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "WhatsApp/2.23.20.0 A",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; SomeCrawler/3.0)",
    "Mozilla/5.0 (compatible; ExampleSpider/1.0)",
]


def link_code(app, content_id: int, network: str = "x") -> str:
    with app.app_context():
        return get_session().scalar(select(TrackedLink.code).where(
            TrackedLink.content_id == content_id, TrackedLink.network == network))


def write_buffered_clicks(app) -> int:
    """What the click writer would write within a second, now."""
    return app.extensions[links.APP_KEY].extensions[links.BUFFER_KEY].flush()


def counts(app) -> list[tuple[str, date, int, int]]:
    """Every counter row: (network, day, clicks, previews), once buffered clicks are written."""
    write_buffered_clicks(app)
    with app.app_context():
        return [tuple(row) for row in get_session().execute(
            select(TrackedLink.network, ClickCount.day, ClickCount.clicks, ClickCount.previews)
            .join(TrackedLink, TrackedLink.id == ClickCount.link_id)
            .order_by(TrackedLink.network, ClickCount.day))]


def change_content(app, content_id: int, **values) -> None:
    with app.app_context():
        session = get_session()
        session.execute(update(Content).where(Content.id == content_id).values(**values))
        session.commit()


def click(client, code: str, agent: str = BROWSER, **kwargs):
    return client.get(f"/s/{code}", headers={"User-Agent": agent, **kwargs.pop("headers", {})}, **kwargs)


def test_redirects_to_the_target_with_utm_merged_into_its_query(app, client, world):
    content_id = publish(app, "Solar roofs")
    change_content(app, content_id, target_url="https://example.org/post?ref=feed&utm_source=newsletter#part-2")
    with app.app_context():
        slug = get_session().get(Content, content_id).slug

    response = click(client, link_code(app, content_id, "linkedin"))

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path, location.fragment) == (
        "https", "example.org", "/post", "part-2")
    assert parse_qsl(location.query) == [("ref", "feed"), ("utm_source", "linkedin"),
                                         ("utm_medium", "ambassador"), ("utm_campaign", slug)]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert counts(app) == [("linkedin", utcnow().date(), 1, 0)]


@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_UTM": False}])
def test_utm_off_sends_to_the_url_as_stored(app, client, world):
    content_id = publish(app, "Solar roofs")
    change_content(app, content_id, target_url="https://example.org/post?ref=feed")

    response = click(client, link_code(app, content_id))

    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.org/post?ref=feed"
    assert counts(app) == [("x", utcnow().date(), 1, 0)]


@pytest.mark.parametrize("path", ["/s/unknown1", "/s/", "/s/%00", "/s/" + "a" * 17, "/s/ab%20cd", "/s/a.b",
                                  "/s/..%2F..", "/s/a/b"])
def test_unknown_or_malformed_codes_get_a_404_and_write_nothing(app, client, world, path):
    publish(app, "Post")
    response = client.get(path, headers={"User-Agent": BROWSER, "Accept-Language": "en"})
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert counts(app) == []


def test_codes_are_matched_exactly(app, client, world):
    content_id = publish(app, "Post")
    with app.app_context():
        session = get_session()
        session.execute(update(TrackedLink).where(TrackedLink.content_id == content_id, TrackedLink.network == "x")
                        .values(code="AbCd-123"))
        session.commit()
    for near_miss in ("abcd-123", "ABCD-123", "AbCd-12", "AbCd-1234", "AbCd_123", "AbCd-12%"):
        assert click(client, near_miss).status_code == 404, near_miss
    assert counts(app) == []
    assert click(client, "AbCd-123").status_code == 302


def test_expired_or_archived_content_is_gone_and_not_counted(app, client, world):
    expired = publish(app, "Old", hours_ago=48)
    change_content(app, expired, expires_at=utcnow() - timedelta(hours=1))
    archived = publish(app, "Archived")
    change_content(app, archived, archived_at=utcnow())

    for content_id in (expired, archived):
        response = click(client, link_code(app, content_id), headers={"Accept-Language": "en"})
        assert response.status_code == 410
        assert "Location" not in response.headers
        assert "No longer available" in response.get_data(as_text=True)
    assert counts(app) == []


def test_drafts_and_scheduled_content_are_not_found(app, client, world):
    draft = publish(app, "Draft")
    change_content(app, draft, publish_at=None)
    scheduled = publish(app, "Later", hours_ago=-2)
    for content_id in (draft, scheduled):
        assert click(client, link_code(app, content_id)).status_code == 404
    assert counts(app) == []


@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_CACHE_SECONDS": 0}])  # each target read afresh
def test_only_http_targets_are_followed(app, client, world):
    content_id = publish(app, "Post")
    code = link_code(app, content_id)
    for target in ("javascript:alert(1)", "data:text/html,hi", "//evil.example/", "ftp://example.org/f",
                   "https:///no-host"):
        change_content(app, content_id, target_url=target)
        response = click(client, code)
        assert response.status_code == 404, target
        assert "Location" not in response.headers
    assert counts(app) == []


def test_open_redirect_attempts_never_lead_elsewhere(app, client, world):
    content_id = publish(app, "Post")
    code = link_code(app, content_id)
    attempts = [f"/s/{code}?next=https://evil.example", f"/s/{code}?url=//evil.example&utm_source=evil",
                f"/s/{code}/https://evil.example", f"/s/{code}%2F%2Fevil.example", f"/s/{code}/..%2F..",
                "/s/https:%2F%2Fevil.example", "/s///evil.example", "/s/%5C%5Cevil.example"]
    for path in attempts:
        response = client.get(path, headers={"User-Agent": BROWSER, "Host": "evil.example"})
        location = response.headers.get("Location")
        assert location is None or urlsplit(location).netloc == "example.org", (path, location)
        if location is not None:
            assert "evil" not in location
    assert response.status_code == 404
    # Only the first two carry the real code, as /s/<code> plus a query string.
    assert counts(app) == [("x", utcnow().date(), 2, 0)]


def test_head_requests_are_answered_but_not_counted(app, client, world):
    content_id = publish(app, "Post")
    response = client.head(f"/s/{link_code(app, content_id)}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302 and response.headers["Location"].startswith("https://example.org/")
    assert counts(app) == []


def test_preview_fetchers_are_counted_apart_from_people(app, client, world):
    content_id = publish(app, "Post")
    code = link_code(app, content_id, "mastodon")
    for agent in PREVIEW_AGENTS:
        assert click(client, code, agent).status_code == 302
        assert counts(app)[0][3] == PREVIEW_AGENTS.index(agent) + 1, agent  # counted as a preview
    for agent in (BROWSER, "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120.0 Mobile",
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"):
        click(client, code, agent)
    assert counts(app) == [("mastodon", utcnow().date(), 3, len(PREVIEW_AGENTS))]


def test_the_redirect_sets_no_cookie_even_for_a_signed_in_ambassador(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    for path in (f"/s/{link_code(app, content_id)}", "/s/unknown1"):
        response = click(client, path.removeprefix("/s/"))
        assert response.status_code in (302, 404)
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
    assert client.get("/").status_code == 200  # still signed in: the session was left alone
    assert client.get(f"/content/{content_id}/share").status_code == 200


def test_an_ambassador_yet_to_accept_the_charter_still_reaches_the_target(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, member=False)
    content_id = publish(app, "Post")
    assert client.get("/").headers["Location"].endswith("/charter")  # every other page asks for it
    response = click(client, link_code(app, content_id))
    assert response.status_code == 302 and response.headers["Location"].startswith("https://example.org/Post")
    assert counts(app) == [("x", utcnow().date(), 1, 0)]


def test_clicks_are_counted_per_utc_day(app, client, world, monkeypatch):
    content_id = publish(app, "Post", hours_ago=24 * 30)
    code = link_code(app, content_id)
    # 23:30 UTC is already the next day in Paris (the app's TIMEZONE): the day stored is UTC's.
    for moment, times in ((datetime(2030, 3, 1, 23, 30, tzinfo=UTC), 2), (datetime(2030, 3, 2, 0, 30, tzinfo=UTC), 3)):
        monkeypatch.setattr(links, "utcnow", lambda moment=moment: moment)
        change_content(app, content_id, publish_at=moment - timedelta(days=1))
        for _ in range(times):
            click(client, code)
    assert counts(app) == [("x", date(2030, 3, 1), 2, 0), ("x", date(2030, 3, 2), 3, 0)]


def test_concurrent_clicks_on_a_real_server_are_all_counted(app, world):
    content_id = publish(app, "Post")
    code = link_code(app, content_id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def clicks_from_one_visitor(agent: str) -> list[int]:
        statuses = []
        for _ in range(15):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            connection.request("GET", f"/s/{code}", headers={"User-Agent": agent})
            statuses.append(connection.getresponse().status)
            connection.close()
        return statuses

    try:
        agents = [BROWSER] * 8 + ["Twitterbot/1.0"] * 2
        with ThreadPoolExecutor(len(agents)) as pool:
            statuses = [status for result in pool.map(clicks_from_one_visitor, agents) for status in result]
    finally:
        server.shutdown()
        thread.join()
    assert statuses == [302] * 150
    assert counts(app) == [("x", utcnow().date(), 8 * 15, 2 * 15)]


def test_click_counts_cannot_hold_an_address_an_agent_or_a_cookie(app):
    with app.app_context():
        columns = inspect(get_engine()).get_columns("click_counts")
    assert {column["name"] for column in columns} == {"link_id", "day", "clicks", "previews"}
    for column in columns:  # integers and a date: no text that could hold an IP, agent or cookie
        assert isinstance(column["type"], (Integer, Date)), column


def test_nothing_but_the_counter_changes_on_a_click(app, client, world):
    content_id = publish(app, "Post")
    with app.app_context():
        session = get_session()
        before = {name: session.scalar(select(func.count()).select_from(table(name)))
                  for name in ("tracked_links", "share_events", "users")}
    click(client, link_code(app, content_id))
    with app.app_context():
        session = get_session()
        after = {name: session.scalar(select(func.count()).select_from(table(name))) for name in before}
    assert after == before
    assert counts(app) == [("x", utcnow().date(), 1, 0)]


def test_a_cached_link_keeps_exact_times_and_sees_curators_changes_after_its_ttl(app, world):
    content_id = publish(app, "Post", expires_in=timedelta(hours=2))
    code = link_code(app, content_id)
    clock = [0.0]
    cache = clicks.LinkCache(10, clock=lambda: clock[0])
    engine = app.extensions[links.APP_KEY].extensions[links.ENGINE_KEY]
    now = utcnow()

    def outcome(at=now):
        with engine.connect() as connection:
            return clicks.resolve(connection, code, at, utm=True, cache=cache).outcome

    assert outcome() is clicks.Outcome.LIVE
    assert outcome(now + timedelta(hours=3)) is clicks.Outcome.GONE  # expiry is exact, cached or not
    change_content(app, content_id, archived_at=now)
    assert outcome() is clicks.Outcome.LIVE  # still the cached row
    clock[0] = 10.5
    assert outcome() is clicks.Outcome.GONE


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_CACHE_SECONDS": 0}])  # each click reads its code
def test_a_connection_the_server_dropped_costs_no_click(app, client, world):
    content_id = publish(app, "Post")
    code = link_code(app, content_id)
    assert click(client, code).status_code == 302
    engine = app.extensions[links.APP_KEY].extensions[links.ENGINE_KEY]
    with engine.connect() as connection:  # the pooled connection the click used
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with app.app_context(), get_engine().connect() as other:
        assert other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar() is True
    assert click(client, code).status_code == 302
    assert counts(app) == [("x", utcnow().date(), 2, 0)]
