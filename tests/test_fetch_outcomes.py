"""Feeds fetched by threads and parsed one by one in the reader's thread.

Every fetched feed comes back parsed (or with its error), and a reader that
stops early does not leave fetch threads waiting forever for room.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import replace

from advocacy.services import ingest


def rss(n: int) -> bytes:
    items = "".join(f"<item><title>Post {n}-{i}</title><link>https://example.org/{n}/{i}</link></item>"
                    for i in range(3))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>https://example.org/</link>{items}</channel></rss>").encode()


def settings_for_loopback(workers: int = 2) -> ingest.FeedSettings:
    settings = ingest.FeedSettings(workers=workers, per_host=workers)
    return replace(settings, fetch=replace(settings.fetch, allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)))


def test_every_feed_comes_back_parsed_or_failed(feed_server):
    urls = [feed_server.static(f"/f{n}.xml", rss(n)) for n in range(9)]
    urls.append(feed_server.static("/broken.xml", b"<html><body>not a feed</body></html>", content_type="text/html"))
    outcomes = list(ingest.fetch_outcomes([ingest.FeedRequest(n, url) for n, url in enumerate(urls)],
                                          settings_for_loopback()))
    by_url = {outcome.request.url: outcome for outcome in outcomes}
    assert set(by_url) == set(urls)
    for url in urls[:-1]:
        parsed = by_url[url].parsed
        assert by_url[url].error is None and parsed is not None and len(parsed.entries) == 3
        assert by_url[url].result is not None and by_url[url].result.body == b""  # let go once parsed
    assert by_url[urls[-1]].error is not None and by_url[urls[-1]].parsed is None


def test_a_reader_that_stops_early_leaves_no_thread_waiting(feed_server):
    urls = [feed_server.static(f"/g{n}.xml", rss(n)) for n in range(12)]
    before = threading.active_count()
    outcomes = ingest.fetch_outcomes([ingest.FeedRequest(n, url) for n, url in enumerate(urls)],
                                     settings_for_loopback(workers=2))
    first = next(outcomes)
    assert first.parsed is not None
    outcomes.close()  # waits for the fetch threads, which must see the stop
    assert threading.active_count() == before
