"""fetch_feed against a real local HTTP server."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest
from cf_helpers import SIMPLE_FEED, rss

from content_feeds import (
    DEFAULT_USER_AGENT,
    FetchError,
    FetchSettings,
    FetchTimeoutError,
    GoneError,
    HTTPStatusError,
    NotAFeedError,
    ParseError,
    RedirectError,
    TooLargeError,
    fetch_feed,
    parse_feed,
)
from content_feeds.errors import (
    ConnectError,
    NotFoundError,
    RateLimitedError,
    RedirectLoopError,
    ServerError,
)
from content_feeds.fetch import parse_retry_after


def test_plain_fetch_sends_user_agent_and_accepts_compression(feed_server, settings):
    url = feed_server.static("/plain", SIMPLE_FEED)
    result = fetch_feed(url, settings=settings)
    assert result.status == 200
    assert result.body == SIMPLE_FEED
    assert result.url == url
    assert result.permanent_url is None
    assert result.not_modified is False
    assert result.content_type == "application/rss+xml; charset=utf-8"
    headers = feed_server.requests_for("/plain")[-1]["headers"]
    assert headers["User-Agent"] == DEFAULT_USER_AGENT
    assert "https://" in headers["User-Agent"]
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_user_agent_is_a_setting(feed_server):
    url = feed_server.static("/ua", SIMPLE_FEED)
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), user_agent="Custom/1.0 (+https://example.org)")
    fetch_feed(url, settings=settings)
    assert feed_server.requests_for("/ua")[-1]["headers"]["User-Agent"] == "Custom/1.0 (+https://example.org)"


def test_conditional_get_round_trip(feed_server, settings):
    etag = '"v1"'
    modified = "Mon, 02 Nov 2026 08:00:00 GMT"

    def handler(req: BaseHTTPRequestHandler) -> None:
        if req.headers.get("If-None-Match") == etag or req.headers.get("If-Modified-Since") == modified:
            req.send_response(304)
            req.send_header("ETag", etag)
            req.end_headers()
            return
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("ETag", etag)
        req.send_header("Last-Modified", modified)
        req.send_header("Content-Length", str(len(SIMPLE_FEED)))
        req.end_headers()
        req.wfile.write(SIMPLE_FEED)

    url = feed_server.route("/conditional", handler)
    first = fetch_feed(url, settings=settings)
    assert (first.status, first.etag, first.last_modified) == (200, etag, modified)
    assert first.body == SIMPLE_FEED

    second = fetch_feed(url, etag=first.etag, last_modified=first.last_modified, settings=settings)
    assert second.not_modified is True
    assert second.status == 304
    assert second.body == b""
    assert second.etag == etag
    assert second.last_modified == modified  # kept from the request when the 304 omits it
    sent = feed_server.requests_for("/conditional")[-1]["headers"]
    assert sent["If-None-Match"] == etag
    assert sent["If-Modified-Since"] == modified

    only_date = fetch_feed(url, last_modified=modified, settings=settings)
    assert only_date.not_modified is True


@pytest.mark.parametrize(
    "name, encoding, compress",
    [
        ("gzip", "gzip", gzip.compress),
        ("zlib", "deflate", zlib.compress),
        ("raw", "deflate", lambda data: zlib.compress(data)[2:-4]),  # raw DEFLATE, as some servers send
    ],
)
def test_compressed_bodies_are_decoded(feed_server, settings, name, encoding, compress):
    path = f"/compressed-{name}"
    url = feed_server.static(path, compress(SIMPLE_FEED), headers={"Content-Encoding": encoding})
    assert fetch_feed(url, settings=settings).body == SIMPLE_FEED


def test_chain_of_301_and_308_is_a_permanent_move(feed_server, settings):
    final = feed_server.static("/moved/final", SIMPLE_FEED)
    feed_server.redirect("/moved/2", "/moved/final", 308)
    start = feed_server.redirect("/moved/1", feed_server.url("/moved/2"), 301)
    result = fetch_feed(start, settings=settings)
    assert result.url == final
    assert result.permanent_url == final
    assert result.body == SIMPLE_FEED


def test_302_is_not_permanent(feed_server, settings):
    final = feed_server.static("/temp/final", SIMPLE_FEED)
    start = feed_server.redirect("/temp/1", "/temp/final", 302)
    result = fetch_feed(start, settings=settings)
    assert result.url == final
    assert result.permanent_url is None


def test_mixed_301_then_302_is_not_permanent(feed_server, settings):
    final = feed_server.static("/mixed/final", SIMPLE_FEED)
    feed_server.redirect("/mixed/2", "/mixed/final", 302)
    start = feed_server.redirect("/mixed/1", "/mixed/2", 301)
    result = fetch_feed(start, settings=settings)
    assert result.url == final
    assert result.permanent_url is None


def test_redirect_loop_is_detected(feed_server, settings):
    feed_server.redirect("/loop/b", "/loop/a", 302)
    start = feed_server.redirect("/loop/a", "/loop/b", 302)
    with pytest.raises(RedirectLoopError) as info:
        fetch_feed(start, settings=settings)
    assert info.value.code == "redirect_loop"
    assert "loop" in info.value.message


def test_self_redirect_is_a_loop(feed_server, settings):
    start = feed_server.redirect("/loop/self", "/loop/self", 301)
    with pytest.raises(RedirectLoopError):
        fetch_feed(start, settings=settings)


def test_at_most_five_redirects(feed_server, settings):
    feed_server.static("/hops/0", SIMPLE_FEED)
    for n in range(1, 7):
        feed_server.redirect(f"/hops/{n}", f"/hops/{n - 1}", 302)
    assert fetch_feed(feed_server.url("/hops/5"), settings=settings).body == SIMPLE_FEED
    with pytest.raises(RedirectError) as info:
        fetch_feed(feed_server.url("/hops/6"), settings=settings)
    assert info.value.code == "redirects"
    assert info.value.params["max_redirects"] == 5


def test_server_stalling_mid_body_hits_the_deadline(feed_server):
    def handler(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Content-Length", "100000")
        req.end_headers()
        req.wfile.write(SIMPLE_FEED[:50])
        req.wfile.flush()
        # A byte every 0.2 s: no single read ever times out, only the total.
        for _ in range(50):
            time.sleep(0.2)
            req.wfile.write(b" ")
            req.wfile.flush()

    url = feed_server.route("/stall", handler)
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), deadline=1.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as info:
        fetch_feed(url, settings=settings)
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 2.5
    assert info.value.code == "timeout"
    assert info.value.message == "The server took longer than 1.5 seconds to answer."


def test_default_timeout_message():
    assert FetchTimeoutError(seconds=20.0).message == "The server took longer than 20 seconds to answer."


def test_declared_oversize_body_is_refused(feed_server):
    url = feed_server.static("/big-declared", b"x" * 5000)
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), max_bytes=1000)
    with pytest.raises(TooLargeError) as info:
        fetch_feed(url, settings=settings)
    assert info.value.code == "too_large"


def test_undeclared_oversize_body_is_cut(feed_server):
    def handler(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.end_headers()  # no Content-Length: HTTP/1.0 body runs to close
        for _ in range(100):
            req.wfile.write(b"x" * 1000)

    url = feed_server.route("/big-undeclared", handler)
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), max_bytes=10_000)
    with pytest.raises(TooLargeError):
        fetch_feed(url, settings=settings)


def test_gzip_bomb_is_stopped_at_the_cap(feed_server):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    url = feed_server.static("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), max_bytes=1024 * 1024)
    with pytest.raises(TooLargeError) as info:
        fetch_feed(url, settings=settings)
    assert info.value.message == "The feed is larger than 1 MiB."


def test_default_size_message():
    from content_feeds.errors import format_size

    assert TooLargeError(limit=format_size(10 * 1024 * 1024)).message == "The feed is larger than 10 MiB."


def test_html_page_instead_of_a_feed(feed_server, settings):
    page = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Hi</p></body></html>"
    url = feed_server.static("/page", page, content_type="text/html; charset=utf-8")
    result = fetch_feed(url, settings=settings)
    with pytest.raises(NotAFeedError) as info:
        parse_feed(result.body, url=result.url, content_type=result.content_type)
    assert info.value.message == "This address returns a web page, not a feed."
    assert info.value.code == "not_a_feed"


def test_invalid_xml(feed_server, settings):
    broken = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</titl></channel>'
    url = feed_server.static("/broken", broken)
    result = fetch_feed(url, settings=settings)
    with pytest.raises(ParseError) as info:
        parse_feed(result.body, url=result.url, content_type=result.content_type)
    assert info.value.code == "invalid_xml"
    assert info.value.message.startswith("The feed is not valid XML: ")


def test_wrong_declared_charset_still_parses(feed_server, settings):
    body = rss("<item><title>Café crème</title><link>https://example.org/cafe</link></item>").decode()
    latin1 = body.encode("iso-8859-1")  # the header and the declaration both claim UTF-8
    url = feed_server.static("/charset", latin1, content_type="application/rss+xml; charset=utf-8")
    result = fetch_feed(url, settings=settings)
    parsed = parse_feed(result.body, url=result.url, content_type=result.content_type)
    assert [e.title for e in parsed.entries] == ["Café crème"]
    assert parsed.warnings  # reported, not fatal


@pytest.mark.parametrize(
    "status, cls, code",
    [
        (404, NotFoundError, "not_found"),
        (410, GoneError, "gone"),
        (500, ServerError, "server_error"),
        (403, HTTPStatusError, "access_denied"),
    ],
)
def test_http_errors(feed_server, settings, status, cls, code):
    url = feed_server.static(f"/status/{status}", b"nope", status=status, content_type="text/plain")
    with pytest.raises(cls) as info:
        fetch_feed(url, settings=settings)
    assert isinstance(info.value, HTTPStatusError)
    assert info.value.status == status
    assert info.value.code == code
    assert info.value.retry_after is None


def test_gone_message(feed_server, settings):
    url = feed_server.static("/gone", b"", status=410, content_type="text/plain")
    with pytest.raises(GoneError) as info:
        fetch_feed(url, settings=settings)
    assert str(info.value) == "The server says this feed is gone (HTTP 410)."


def test_429_with_retry_after_seconds(feed_server, settings):
    url = feed_server.static("/slow-down", b"", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitedError) as info:
        fetch_feed(url, settings=settings)
    assert info.value.status == 429
    assert info.value.retry_after == 120.0
    assert info.value.params["retry_after"] == 120.0


def test_503_with_retry_after_http_date(feed_server, settings):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    url = feed_server.static("/maintenance", b"", status=503, headers={"Retry-After": when})
    with pytest.raises(RateLimitedError) as info:
        fetch_feed(url, settings=settings)
    assert info.value.status == 503
    assert info.value.retry_after is not None
    assert 80 <= info.value.retry_after <= 91


def test_parse_retry_after_edge_cases():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after("Sun, 22 Nov 2026 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_connection_refused_is_a_connect_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",))
    with pytest.raises(ConnectError) as info:
        fetch_feed(f"http://127.0.0.1:{port}/feed", settings=settings)
    assert info.value.code == "connect"
    assert isinstance(info.value, FetchError)
