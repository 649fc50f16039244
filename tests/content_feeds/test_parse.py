"""parse_feed: errors, normalisation, de-duplication, dates, images."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cf_helpers import FETCHED_AT, SIMPLE_FEED, rss

from content_feeds import Entry, NotAFeedError, ParseError, canonical_url, parse_feed
from content_feeds.errors import FeedError, UnknownFormatError

MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def parse(body: bytes, content_type: str | None = "application/rss+xml", url: str = "https://example.org/feed.xml"):
    return parse_feed(body, url=url, content_type=content_type, fetched_at=FETCHED_AT)


def one(items: str, **kw) -> Entry:
    feed = parse(rss(items, **kw))
    assert len(feed.entries) == 1, feed
    return feed.entries[0]


# --- feed-level results and failures ----------------------------------------


def test_feed_level_fields():
    feed = parse(rss("<language>fr-FR</language>", title="Mes &amp; actus"))
    assert feed.title == "Mes & actus"
    assert feed.site_url == "https://example.org/"
    assert feed.language == "fr-FR"
    assert feed.entries == []  # a valid feed with no entries is not an error
    assert feed.skipped_entries == 0


@pytest.mark.parametrize(
    "body, content_type, cls, code",
    [
        (b"<!doctype html><html><body>hi</body></html>", "text/html", NotAFeedError, "not_a_feed"),
        (b"<html><head></head><body><p>x</body></html>", None, NotAFeedError, "not_a_feed"),
        (b"<?xml version='1.0'?><rss><channel><title>x</channel>", None, ParseError, "invalid_xml"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
            "application/json", UnknownFormatError, "unknown_format",
        ),
        (b"<?xml version='1.0'?><note><to>Tove</to></note>", "application/xml", UnknownFormatError, "unknown_format"),
        (b"   ", None, ParseError, "invalid_xml"),
    ],
)
def test_unusable_documents(body, content_type, cls, code):
    with pytest.raises(cls) as info:
        parse(body, content_type)
    assert info.value.code == code
    assert str(info.value) == info.value.message
    assert info.value.message == type(info.value).template.format(**info.value.params)


def test_non_xml_content_type_is_only_a_warning():
    feed = parse(SIMPLE_FEED, "text/plain")
    assert len(feed.entries) == 1
    assert feed.warnings


def test_bad_entry_is_skipped_not_fatal():
    feed = parse(rss("<item></item><item><title>Good</title><link>https://example.org/g</link></item>"))
    assert [e.title for e in feed.entries] == ["Good"]
    assert feed.skipped_entries == 1
    assert feed.warnings


def test_recovered_malformed_feed_keeps_entries():
    body = rss("<item><title>A &amp; B</title><link>https://example.org/a</link></item>").replace(
        b"</channel>", b"<broken></channel>"
    )
    feed = parse(body)
    assert [e.title for e in feed.entries] == ["A & B"]
    assert feed.warnings


# --- entry normalisation ------------------------------------------------------


def test_title_is_plain_text():
    entry = one(
        "<item><title>  &lt;b&gt;Bold&lt;/b&gt;   news &amp;amp; &#233;t&#233;\n now </title><guid>x</guid></item>"
    )
    assert entry.title == "Bold news & été now"


def test_link_is_canonical():
    entry = one(
        "<item><title>t</title><link>HTTPS://Example.ORG:443/post?id=7&amp;utm_source=rss&amp;fbclid=1"
        "&amp;gclid=2&amp;mc_cid=3#comments</link></item>"
    )
    assert entry.link == "https://example.org/post?id=7"
    assert entry.dedupe_key == "link:https://example.org/post?id=7"


def test_relative_link_resolved_against_feed_url():
    entry = one("<item><title>t</title><link>/posts/1</link></item>")
    assert entry.link == "https://example.org/posts/1"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/x", "mailto:a@example.org", "data:text/html,x"]
)
def test_unusable_link_is_none(link):
    entry = one(f"<item><title>t</title><link>{link}</link><guid>g</guid></item>")
    assert entry.link is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org", "https://example.org/"),
        ("http://EXAMPLE.org:80/a/b?x=1&utm_medium=email&utm_campaign=c", "http://example.org/a/b?x=1"),
        ("https://example.org/p?a=1&_hsenc=x&_hsmi=y&igshid=z&yclid=1&dclid=2&msclkid=3&ref_src=4&mc_eid=5", "https://example.org/p?a=1"),
        ("https://example.org/p?q=caf%C3%A9&b=%20", "https://example.org/p?q=caf%C3%A9&b=%20"),
        ("https://example.org:8443/p#frag", "https://example.org:8443/p"),
        ("  https://example.org/x\n", "https://example.org/x"),
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("jav&#x09;ascript:alert(1)", None),
        ("jav\tascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("https:///nohost", None),
        ("https://example.org:99999/", None),
        (None, None),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_dates_are_utc_and_never_in_the_future():
    items = (
        "<item><title>tz</title><guid>1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 +0200</pubDate></item>"
        "<item><title>missing</title><guid>2</guid></item>"
        "<item><title>garbage</title><guid>3</guid><pubDate>next Tuesday-ish</pubDate></item>"
        "<item><title>future</title><guid>4</guid><pubDate>Fri, 01 Jan 2038 00:00:00 GMT</pubDate></item>"
    )
    entries = {e.title: e for e in parse(rss(items)).entries}
    assert entries["tz"].published == FETCHED_AT.replace(month=11, day=2, hour=8)
    assert entries["tz"].published.utcoffset() == timedelta(0)
    for name in ("missing", "garbage", "future"):
        assert entries[name].published == FETCHED_AT
        assert entries[name].updated == FETCHED_AT


def test_atom_published_and_updated():
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
    <entry><title>e</title><id>urn:x</id><published>2026-10-01T10:00:00+02:00</published>
    <updated>2026-10-03T00:00:00Z</updated><link href="https://example.org/e"/></entry></feed>"""
    entry = parse(body, "application/atom+xml").entries[0]
    assert entry.published.isoformat() == "2026-10-01T08:00:00+00:00"
    assert entry.updated.isoformat() == "2026-10-03T00:00:00+00:00"


def test_repeated_guids_keep_the_first():
    items = (
        "<item><title>first</title><guid>same</guid></item>"
        "<item><title>second</title><guid>same</guid></item>"
        "<item><title>other</title><guid>other</guid></item>"
    )
    feed = parse(rss(items))
    assert [e.title for e in feed.entries] == ["first", "other"]
    assert any("repeated" in w for w in feed.warnings)


def test_hash_key_is_stable_and_kinds_do_not_collide():
    item = "<item><title>No id</title><description>text</description></item>"
    first = parse_feed(rss(item), url="https://example.org/f", fetched_at=FETCHED_AT).entries[0]
    later = parse_feed(rss(item), url="https://example.org/f", fetched_at=FETCHED_AT + timedelta(days=1)).entries[0]
    assert first.dedupe_key == later.dedupe_key
    assert first.dedupe_key.startswith("hash:")
    assert one("<item><title>t</title><guid>https://example.org/x</guid></item>").dedupe_key.startswith("guid+link:")
    assert one('<item><title>t</title><guid isPermaLink="false">x</guid></item>').dedupe_key == "guid:x"


def test_one_guid_on_two_links_is_two_entries_and_the_same_pair_one():
    items = (
        "<item><title>first</title><guid>reused</guid><link>https://example.org/a</link></item>"
        "<item><title>second</title><guid>reused</guid><link>https://example.org/b</link></item>"
        "<item><title>again</title><guid>reused</guid><link>https://example.org/a?utm_source=x</link></item>"
    )
    feed = parse(rss(items))
    assert [(e.title, e.guid, e.link) for e in feed.entries] == [
        ("first", "reused", "https://example.org/a"), ("second", "reused", "https://example.org/b")]
    assert feed.entries[0].dedupe_key == "guid+link:reused\nhttps://example.org/a"
    assert any("repeated" in w for w in feed.warnings)


def test_long_guid_key_is_capped():
    guid = "x" * 1000
    entry = one(f'<item><title>t</title><guid isPermaLink="false">{guid}</guid></item>')
    assert entry.guid == guid
    assert len(entry.dedupe_key) <= 255
    assert entry.dedupe_key.startswith("guid-sha256:")


def test_excerpt_is_cut_at_a_word():
    words = " ".join(f"word{i}" for i in range(200))
    entry = one(f"<item><title>t</title><guid>g</guid><description>&lt;p&gt;{words}&lt;/p&gt;</description></item>")
    assert len(entry.excerpt) <= 300
    assert entry.excerpt.endswith("…")
    assert entry.excerpt[:-1].split(" ")[-1] in words.split(" ")


def test_title_falls_back_to_text():
    entry = one("<item><guid>g</guid><description>Only a description here.</description></item>")
    assert entry.title == "Only a description here."


def test_categories_are_stripped_and_deduped():
    entry = one(
        "<item><title>t</title><guid>g</guid><category> News </category><category>news</category>"
        "<category>Jobs</category><category></category></item>"
    )
    assert entry.categories == ("News", "Jobs")


def test_author():
    entry = one("<item><title>t</title><guid>g</guid><author>jo@example.org (Jo Doe)</author></item>")
    assert entry.author and "Jo Doe" in entry.author


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            '<media:thumbnail url="https://example.org/t.jpg"/>'
            '<media:content url="https://example.org/c.jpg" medium="image"/>',
            "https://example.org/t.jpg",
        ),
        (
            '<media:content url="https://example.org/v.mp4" type="video/mp4"/>'
            '<media:content url="/c.jpg" type="image/jpeg"/>',
            "https://example.org/c.jpg",
        ),
        ('<enclosure url="https://example.org/e.png" type="image/png" length="1"/>', "https://example.org/e.png"),
        ('<enclosure url="https://example.org/a.mp3" type="audio/mpeg" length="1"/>', "https://example.org/img.png"),
        ('<media:thumbnail url="javascript:alert(1)"/>', "https://example.org/img.png"),
    ],
)
def test_image_priority(extra, expected):
    entry = one(
        f"<item><title>t</title><guid>g</guid>{extra}"
        '<description>&lt;p&gt;&lt;img src="/img.png"&gt;&lt;/p&gt;</description></item>',
        extra_ns=MEDIA,
    )
    assert entry.image_url == expected


def test_relative_urls_in_content_use_the_entry_link():
    entry = one(
        "<item><title>t</title><link>https://blog.example.net/2026/post/</link>"
        '<description>&lt;a href="../other/"&gt;o&lt;/a&gt; &lt;img src="pic.jpg"&gt;</description></item>'
    )
    assert 'href="https://blog.example.net/2026/other/"' in entry.summary_html
    assert 'src="https://blog.example.net/2026/post/pic.jpg"' in entry.summary_html
    assert 'rel="noopener noreferrer nofollow"' in entry.summary_html
    assert entry.image_url == "https://blog.example.net/2026/post/pic.jpg"


def test_entry_serialises_to_json():
    entry = one("<item><title>t</title><guid>g</guid></item>")
    assert json.loads(json.dumps(entry.to_dict()))["published"] == FETCHED_AT.isoformat()


def test_errors_have_code_params_and_message():
    for error in (ParseError(detail="x"), NotAFeedError(), UnknownFormatError()):
        assert isinstance(error, FeedError)
        assert error.code and isinstance(error.params, dict)
        assert str(error) == error.message


def test_every_error_code_has_a_template():
    from content_feeds import error_templates

    templates = error_templates()
    for code in ("timeout", "blocked_address", "too_large", "http_status", "gone", "not_a_feed", "invalid_xml",
                 "redirects", "redirect_loop", "connect", "invalid_url", "dns", "tls", "rate_limited"):  # fmt: skip
        assert code in templates
    assert templates["gone"] == "The server says this feed is gone (HTTP {status})."
