"""OPML reading (defused) and writing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content_feeds import OpmlOutline, parse_opml, write_opml
from content_feeds.errors import OpmlError
from content_feeds.opml import iter_feeds
from content_feeds.samples import OPML_PATH, sample_feeds

NESTED = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0"><head><title>Mine</title></head><body>
  <outline text="Tech">
    <outline text="Sub">
      <outline type="rss" text="Deep" xmlUrl="https://deep.example/feed" htmlUrl="https://deep.example/"/>
    </outline>
    <outline type="rss" title="Titled" text="ignored" xmlURL=" https://t.example/rss "/>
  </outline>
  <outline type="rss" text="Top &amp; level" xmlurl="https://top.example/atom"/>
  <outline text="Empty folder"/>
</body></opml>"""


def test_parse_nested_outlines():
    outlines = parse_opml(NESTED)
    assert [o.title for o in outlines] == ["Tech", "Top & level", "Empty folder"]
    tech = outlines[0]
    assert not tech.is_feed
    assert tech.children[0].children[0] == OpmlOutline(
        title="Deep", xml_url="https://deep.example/feed", html_url="https://deep.example/"
    )
    assert tech.children[1].title == "Titled"  # title wins over text
    assert tech.children[1].xml_url == "https://t.example/rss"  # attribute case and spaces tolerated
    feeds = [(o.xml_url, path) for o, path in iter_feeds(outlines)]
    assert feeds == [
        ("https://deep.example/feed", ("Tech", "Sub")),
        ("https://t.example/rss", ("Tech",)),
        ("https://top.example/atom", ()),
    ]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<opml version="2.0"><body><outline text="&lol3;"/></body></opml>"""


@pytest.mark.parametrize("document", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_and_entities_are_refused(document):
    with pytest.raises(OpmlError) as info:
        parse_opml(document)
    assert info.value.code == "invalid_opml"
    assert "safety" in info.value.message


@pytest.mark.parametrize(
    "document",
    [b"<opml><body><outline></body></opml>", b"<rss version='2.0'/>", b"<opml version='2.0'><head/></opml>", b""],
)
def test_invalid_opml(document):
    with pytest.raises(OpmlError):
        parse_opml(document)


def test_write_then_read_round_trip():
    outlines = [
        OpmlOutline(
            title="Folder <&>",
            children=(OpmlOutline(title="Feed \"one\"", xml_url="https://a.example/feed?x=1&y=2", html_url="https://a.example/"),),
        ),
        OpmlOutline(title="Two", xml_url="https://b.example/rss"),
    ]
    data = write_opml(outlines, title="Relais export", created=datetime(2026, 11, 22, tzinfo=UTC))
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b'<opml version="2.0">' in data
    assert b"<dateCreated>Sun, 22 Nov 2026 00:00:00 GMT</dateCreated>" in data
    assert b'type="rss"' in data
    assert parse_opml(data) == outlines


def test_sample_opml_lists_every_sample():
    outlines = parse_opml(OPML_PATH.read_bytes())
    urls = [o.xml_url for o, _ in iter_feeds(outlines)]
    assert urls == [url for url, _ in sample_feeds()]
    assert all(path.is_file() for _, path in sample_feeds())
