"""Characters and sizes no database column takes: a feed carrying them still yields its entries.

PostgreSQL refuses U+0000 in text ("cannot contain NUL bytes") and enforces
column lengths; feedparser itself crashes on a character reference to a
surrogate or past U+10FFFF. Any of these once cost the whole feed.
"""

from __future__ import annotations

import pytest
from cf_helpers import FETCHED_AT, rss

from content_feeds import MAX_URL_LENGTH, absolute_url, canonical_url, parse_feed


def parse(body: bytes):
    return parse_feed(body, url="https://example.org/feed.xml", content_type="application/rss+xml",
                      fetched_at=FETCHED_AT)


def test_raw_nul_and_control_characters_are_dropped_from_every_text_field():
    feed = parse(rss(
        "<item><title>A\x00B\x01C</title><link>https://example.org/a</link><guid>g\x001</guid>"
        "<category>c\x00at</category><author>x\x00y</author><description>d\x00e</description></item>"
        "<item><title>Second</title><link>https://example.org/b</link></item>", title="Fe\x00ed"))
    assert feed.title == "Feed"
    first, second = feed.entries
    assert (first.title, first.guid, first.categories, first.author) == ("ABC", "g1", ("cat",), "xy")
    assert "\x00" not in first.summary_html + first.excerpt
    assert second.title == "Second"


@pytest.mark.parametrize("reference", ["&#0;", "&#x0;", "&#xD800;", "&#55296;", "&#x110000;", "&#99999999999;"])
def test_a_reference_to_an_impossible_character_costs_only_that_character(reference):
    feed = parse(rss(f"<item><title>A{reference}B</title><link>https://example.org/a</link>"
                     f"<description>x{reference}y</description></item>"))
    [entry] = feed.entries
    assert entry.title == "A\ufffdB"
    assert entry.excerpt == "x\ufffdy"


def test_a_link_longer_than_any_column_is_no_link():
    long_link = "https://example.org/" + "p" * MAX_URL_LENGTH
    feed = parse(rss(f"<item><title>Long</title><link>{long_link}</link></item>"
                     f"<item><title>Short</title><link>https://example.org/s</link></item>"))
    long_entry, short_entry = feed.entries
    assert long_entry.link is None and long_entry.title == "Long"  # kept, not shareable
    assert short_entry.link == "https://example.org/s"


@pytest.mark.parametrize("url", ["https://example.org/a\x00b", "https://example.org/a\x1bb",
                                 "https://example.org/" + "x" * MAX_URL_LENGTH])
def test_urls_with_controls_or_over_the_limit_are_refused(url):
    assert canonical_url(url) is None
    assert absolute_url(url) is None


def test_a_url_at_the_limit_is_kept():
    url = "https://example.org/" + "x" * (MAX_URL_LENGTH - len("https://example.org/"))
    assert canonical_url(url) == url
