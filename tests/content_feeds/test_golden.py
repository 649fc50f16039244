"""Golden files: each sample feed's normalised output, compared as JSON.

To regenerate after an intended change, run
    CONTENT_FEEDS_REGEN_GOLDEN=1 .venv/bin/pytest tests/content_feeds/test_golden.py
and review the diff of tests/content_feeds/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cf_helpers import FETCHED_AT

from content_feeds import parse_feed
from content_feeds.samples import sample_bytes, sample_feeds

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("CONTENT_FEEDS_REGEN_GOLDEN") == "1"


def _render(url: str, path: Path) -> dict:
    feed = parse_feed(path.read_bytes(), url=url, content_type="application/xml", fetched_at=FETCHED_AT)
    return {
        "url": url,
        "title": feed.title,
        "site_url": feed.site_url,
        "language": feed.language,
        "warnings": feed.warnings,
        "skipped_entries": feed.skipped_entries,
        "entries": [entry.to_dict() for entry in feed.entries],
    }


def test_there_are_samples_in_both_languages_and_formats():
    samples = sample_feeds()
    assert len(samples) == 5
    texts = [path.read_text(encoding="utf-8") for _url, path in samples]
    assert any("<rss" in t for t in texts) and any("http://www.w3.org/2005/Atom\" xml:lang" in t for t in texts)
    assert {"fr", "en"} <= {t.split('lang="')[1][:2] if 'lang="' in t else t.split("<language>")[1][:2] for t in texts}
    assert all(url.startswith("https://demo.relais.invalid/feeds/") for url, _ in samples)
    assert sample_bytes(samples[0][0]) == samples[0][1].read_bytes()
    assert sample_bytes("https://example.org/not-a-sample.xml") is None


@pytest.mark.parametrize("url, path", sample_feeds(), ids=lambda v: Path(str(v)).name)
def test_sample_matches_golden(url, path):
    actual = _render(url, path)
    golden = GOLDEN_DIR / (path.stem + ".json")
    if REGEN:
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with CONTENT_FEEDS_REGEN_GOLDEN=1"
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


def test_samples_are_rich():
    """The demo needs images, categories and cleaned tracking links."""
    for url, path in sample_feeds():
        feed = parse_feed(path.read_bytes(), url=url, fetched_at=FETCHED_AT)
        assert feed.entries and not feed.warnings and feed.skipped_entries == 0
        assert any(e.image_url for e in feed.entries)
        assert all(e.categories for e in feed.entries)
        assert all(e.link and "utm_" not in e.link for e in feed.entries)
        assert all(e.published.year == 2026 for e in feed.entries)
