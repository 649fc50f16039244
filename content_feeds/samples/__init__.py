"""Demo feeds of a fictional cooperative, Atelier Boréal, for offline demos.

feeds.opml is the single list of samples: each outline's xmlUrl is a stable
URL under https://demo.relais.invalid/feeds/ (``.invalid`` can never resolve,
so nothing is ever fetched by accident) whose last path segment names the
local file.  The app looks the bytes up here instead of fetching.

Their entries' images live under https://demo.relais.invalid/images/ and are
drawn here, on demand, so the demo shows pictures offline and the repository
holds no binary files.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import urlsplit

from ..opml import iter_feeds, parse_opml

SAMPLES_DIR = Path(__file__).resolve().parent
OPML_PATH = SAMPLES_DIR / "feeds.opml"
DEMO_BASE_URL = "https://demo.relais.invalid/feeds/"
DEMO_IMAGES_URL = "https://demo.relais.invalid/images/"


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


def sample_image(url: str) -> bytes | None:
    """A PNG drawn for a demo image URL (its colours follow from the URL), or None."""
    if not url.startswith(DEMO_IMAGES_URL) or not url.endswith((".jpg", ".png")):
        return None
    from PIL import Image, ImageDraw  # only the demo draws pictures

    seed = hashlib.sha256(url.encode()).digest()
    width, height = 640, 336
    picture = Image.new("RGB", (width, height), (seed[0] // 2 + 64, seed[1] // 2 + 64, seed[2] // 2 + 64))
    draw = ImageDraw.Draw(picture)
    draw.polygon([(0, height), (width * seed[3] // 255, 0), (width, 0), (width, height)],
                 fill=(seed[4] // 2 + 100, seed[5] // 2 + 100, seed[6] // 2 + 100))
    draw.ellipse((width - 200, 40, width - 80, 160), fill=(250, 240, 210))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
