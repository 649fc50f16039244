"""Shared helpers for the content_feeds tests (imported by name, not a fixture)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

FETCHED_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def rss(items: str, *, title: str = "Test feed", extra_ns: str = "") -> bytes:
    """A minimal RSS 2.0 document around ``items``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0" {extra_ns}><channel><title>{title}</title>'
        "<link>https://example.org/</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


SIMPLE_FEED = rss(
    "<item><title>Hello</title><link>https://example.org/a</link><guid>a</guid>"
    "<pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate><description>World</description></item>"
)
