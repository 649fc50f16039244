"""Large feeds parsed slice by slice read exactly what a whole parse reads.

The feeds come from benchmarks/feed_generator.py (RSS, Atom, RDF; several
encodings; long hostile HTML; repeated entries; missing GUIDs and dates;
relative links). The thresholds are lowered so that small feeds are cut
into many slices.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from cf_helpers import FETCHED_AT

from content_feeds import parse_feed, slicing

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "feed_generator.py"


def _generator():
    spec = importlib.util.spec_from_file_location("feed_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


feed_generator = _generator()


def read(body: bytes):
    feed = parse_feed(body, url="https://feeds.example.org/feed.xml", fetched_at=FETCHED_AT)
    return feed.title, feed.site_url, feed.language, [e.to_dict() for e in feed.entries], feed.warnings


@pytest.fixture
def whole(monkeypatch):
    """parse_feed as it reads documents too small to cut."""
    def parse(body: bytes):
        monkeypatch.setattr(slicing, "MIN_BYTES", len(body) + 1)
        return read(body)
    return parse


@pytest.fixture
def sliced(monkeypatch):
    """parse_feed cutting every document into slices of about 3 KB."""
    def parse(body: bytes):
        monkeypatch.setattr(slicing, "MIN_BYTES", 0)
        monkeypatch.setattr(slicing, "SLICE_BYTES", 3000)
        return read(body)
    return parse


@pytest.mark.parametrize("fmt", ["rss", "atom", "rdf"])
@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1", "windows-1252"])
def test_slices_read_the_same_entries_as_the_whole_document(fmt, encoding, whole, sliced):
    body = feed_generator.feed_document(3, 80, fmt, encoding, body_chars=900, duplicates=0.1)
    counted, pieces = slicing.slices(body, slice_bytes=3000, min_bytes=0)
    assert counted == body.count(b"<item" if fmt != "atom" else b"<entry>") and len(list(pieces)) > 10
    expected = whole(body)
    assert sliced(body) == expected
    assert len(expected[3]) > 50 and any("repeated an id" in warning for warning in expected[4])


def test_utf16_and_malformed_documents_are_read_whole(whole, sliced):
    utf16 = feed_generator.feed_document(4, 30, "atom", "utf-16")
    assert slicing.slices(utf16, min_bytes=0) is None
    assert sliced(utf16) == whole(utf16) and whole(utf16)[3]
    rss = feed_generator.feed_document(5, 40, "rss", body_chars=300)
    broken = rss.replace(b"</item>", b"</itm>", 1)  # the loose parser's reading, whole
    assert slicing.slices(broken, min_bytes=0) is None
    assert sliced(broken) == whole(broken) and whole(broken)[4]


def test_an_entry_nested_in_another_is_content_not_an_entry():
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            + b"".join(b'<entry><id>%d</id><title>e</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                       b"<entry>not an entry</entry></div></content></entry>" % n for n in range(5))
            + b"</feed>")
    counted, pieces = slicing.slices(body, slice_bytes=100, min_bytes=0)
    assert counted == 5 and len(list(pieces)) == 5


def test_a_large_feed_loses_no_entry(monkeypatch, whole):
    """At the real slice size: a 2,000-entry feed of about 1 MiB per slice, every entry kept, in order."""
    body = feed_generator.feed_document(6, 2000, "rss", body_chars=300)
    counted, pieces = slicing.slices(body, min_bytes=0)
    assert counted == body.count(b"<item>") and len(list(pieces)) >= 2
    expected = whole(body)
    monkeypatch.setattr(slicing, "MIN_BYTES", 0)
    assert read(body) == expected
    assert len(expected[3]) + int(expected[4][-1].split()[0]) == counted  # kept + repeated
