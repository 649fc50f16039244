"""Demo feeds of a fictional cooperative, Atelier Boréal, for offline demos.

feeds.opml is the single list of samples: each outline's xmlUrl is a stable
URL under https://demo.relais.invalid/feeds/ (``.invalid`` can never resolve,
so nothing is ever fetched by accident) whose last path segment names the
local file.  The app looks the bytes up here instead of fetching.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..opml import iter_feeds, parse_opml

SAMPLES_DIR = Path(__file__).resolve().parent
OPML_PATH = SAMPLES_DIR / "feeds.opml"
DEMO_BASE_URL = "https://demo.relais.invalid/feeds/"


def sample_feeds() -> list[tuple[str, Path]]:
    """(demo URL, local file) for every sample feed listed in feeds.opml."""
    result: list[tuple[str, Path]] = []
    for outline, _folders in iter_feeds(parse_opml(OPML_PATH.read_bytes())):
        url = outline.xml_url or ""
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        path = SAMPLES_DIR / name
        if url.startswith(DEMO_BASE_URL) and path.is_file():
            result.append((url, path))
    return result


def sample_bytes(url: str) -> bytes | None:
    """The local bytes for a demo URL, or None if it is not a sample."""
    for sample_url, path in sample_feeds():
        if sample_url == url:
            return path.read_bytes()
    return None
