"""The bundled demo feeds, read from the package instead of the network.

Their URLs live under https://demo.relais.invalid/ (a name that can never
resolve), so the demo polls them like any feed, offline, and nothing else
can reach local files through this path: only URLs listed in the samples'
OPML map to a file.
"""

from __future__ import annotations

from content_feeds import FetchResult
from content_feeds.samples import DEMO_BASE_URL, sample_bytes, sample_feeds, sample_image

__all__ = ["fetch", "image", "is_sample", "sample_feeds"]


def is_sample(url: str) -> bool:
    return url.startswith(DEMO_BASE_URL) and sample_bytes(url) is not None


def fetch(url: str) -> FetchResult:
    return FetchResult(
        not_modified=False, url=url, permanent_url=None, body=sample_bytes(url) or b"",
        content_type="application/rss+xml", etag=None, last_modified=None, status=200,
    )


def image(url: str) -> bytes | None:
    """The demo image at ``url`` (drawn locally), or None for any other address."""
    return sample_image(url)
