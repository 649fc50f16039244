"""Hostile markup inside feeds never survives into an Entry."""

from __future__ import annotations

from html import escape

import pytest
from cf_helpers import FETCHED_AT

from content_feeds import parse_feed, sanitize_html

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">entities</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<form action="https://evil.example/"><input name="password"><button>go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    '<div onmouseover="alert(1)">hover</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<!--<script>alert(1)</script>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]
BAD = ("<script", "onerror", "onload", "onmouseover", "javascript:", "vbscript:", "data:", "<iframe", "<style",
       "style=", "<svg", "<form", "<input", "<object", "<embed", "<math", "<meta", "<base", "<link")  # fmt: skip


def assert_clean(text: str | None) -> None:
    if text is None:
        return
    lowered = text.lower()
    for bad in BAD:
        assert bad not in lowered, f"{bad!r} survived in {text!r}"


@pytest.mark.parametrize("vector", VECTORS)
def test_sanitize_html_removes_vector(vector):
    assert_clean(sanitize_html(vector, "https://example.org/"))


def _entry_fields(entry):
    return [entry.title, entry.link, entry.summary_html, entry.content_html, entry.excerpt, entry.image_url,
            entry.author, *entry.categories]  # fmt: skip


@pytest.mark.parametrize("vector", VECTORS)
def test_rss_entries_never_carry_vectors(vector):
    esc = escape(vector)
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>x {esc}</title><link>https://example.org/</link><description>d</description>
<item>
  <title>Title {esc}</title>
  <link>javascript:alert(1)</link>
  <guid>g1</guid>
  <author>a@example.org ({esc})</author>
  <category>{esc}</category>
  <media:thumbnail url="javascript:alert(1)"/>
  <media:content url="data:image/png;base64,AAAA" medium="image"/>
  <description>{esc}</description>
  <content:encoded><![CDATA[<p>Body</p>{vector}]]></content:encoded>
</item>
<item>
  <title><![CDATA[{vector} cdata title]]></title>
  <link>  jav&#x09;ascript:alert(1)</link>
  <guid>g2</guid>
  <enclosure url="data:image/svg+xml,x" type="image/svg+xml" length="1"/>
  <description><![CDATA[{vector}<img src="javascript:alert(1)">]]></description>
</item>
</channel></rss>""".encode()
    feed = parse_feed(body, url="https://example.org/feed", fetched_at=FETCHED_AT)
    assert len(feed.entries) == 2
    assert_clean(feed.title)
    for entry in feed.entries:
        assert entry.link is None
        for value in _entry_fields(entry):
            assert_clean(value)
        assert entry.image_url is None or entry.image_url.startswith("https://")


@pytest.mark.parametrize("vector", VECTORS)
def test_atom_xhtml_content_never_carries_vectors(vector):
    esc = escape(vector)
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">{esc}</title>
<entry><title type="html">{esc} t</title><id>urn:a</id><updated>2026-01-01T00:00:00Z</updated>
<link rel="alternate" href="javascript:alert(1)"/>
<summary type="html">{esc}</summary>
<content type="html">{esc}</content></entry></feed>""".encode()
    feed = parse_feed(body, url="https://example.org/atom", fetched_at=FETCHED_AT)
    assert_clean(feed.title)
    for entry in feed.entries:
        assert entry.link is None
        for value in _entry_fields(entry):
            assert_clean(value)


def test_safe_markup_is_kept():
    html = '<p>Hi <strong>there</strong> <a href="https://example.org/x" title="t">link</a></p><ul><li>one</li></ul>'
    out = sanitize_html(html, None)
    assert "<strong>there</strong>" in out
    assert '<a href="https://example.org/x" title="t" rel="noopener noreferrer nofollow">link</a>' in out
    assert "<ul><li>one</li></ul>" in out
