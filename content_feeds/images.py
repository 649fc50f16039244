"""Fetch an image through the guarded fetcher and re-encode it clean.

Feed images are shown to ambassadors from Relais' own origin, never from the
publisher's host (whose logs would learn who reads what, and when). So an
image is downloaded once, through the same SSRF guard, deadline and size cap
as feeds, then decoded by Pillow and written out again: only pixels survive
(no EXIF with its GPS position, no XMP, no ICC profile, no comment), in one
format, at most ``max_width`` wide.

One format, WebP: every browser Relais supports shows it, it keeps
transparency (logos) where JPEG cannot, and it is smaller than JPEG or PNG at
the same quality. Animated GIFs keep their first frame only.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from .errors import FeedError, NotAnImageError, TooManyPixelsError
from .fetch import FetchSettings, fetch_feed

MEDIA_TYPE = "image/webp"
EXTENSION = "webp"
# The decoders Pillow may use on a stranger's bytes: the formats feeds use,
# nothing exotic (each decoder is attack surface).
DECODERS = ("JPEG", "PNG", "GIF", "WEBP")
ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.8"
DEFAULT_IMAGE_FETCH = FetchSettings(deadline=10.0, max_bytes=5 * 1024 * 1024)


@dataclass(frozen=True)
class ImageLimits:
    # Checked from the header, before any pixel is decoded: a small file can
    # declare a huge canvas (a decompression bomb). 20 MP is a large photo.
    max_pixels: int = 20_000_000
    max_width: int = 1200
    quality: int = 80


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    media_type: str = MEDIA_TYPE

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def fetch_image(url: str, settings: FetchSettings = DEFAULT_IMAGE_FETCH,
                limits: ImageLimits | None = None) -> CleanImage:
    """Download ``url`` (an image/* answer only) and re-encode it; FeedError on failure."""
    result = fetch_feed(url, settings=settings, accept=ACCEPT)
    content_type = (result.content_type or "").split(";", 1)[0].strip().lower()
    if not content_type.startswith("image/"):
        raise NotAnImageError()
    return reencode(result.body, limits or ImageLimits())


def reencode(data: bytes, limits: ImageLimits) -> CleanImage:
    """Decode ``data`` and write its pixels, resized, as WebP without metadata."""
    try:
        with Image.open(io.BytesIO(data), formats=DECODERS) as opened:
            width, height = opened.size
            if width * height > limits.max_pixels:
                raise TooManyPixelsError(max_pixels=limits.max_pixels)
            if opened.format == "JPEG":
                # Let libjpeg decode at a reduced scale when the result is small anyway
                # (both sides stay at least max_width: EXIF may turn the picture a quarter).
                opened.draft("RGB", (limits.max_width, limits.max_width))
            upright = ImageOps.exif_transpose(opened)  # EXIF rotation applied before EXIF goes
            mode = "RGBA" if _has_alpha(upright) else "RGB"
            pixels = upright.convert(mode)
            if pixels.width > limits.max_width:
                pixels = pixels.resize(
                    (limits.max_width, max(1, round(pixels.height * limits.max_width / pixels.width))),
                    Image.Resampling.LANCZOS,
                )
            # A new image from raw pixels carries no info dict at all: nothing
            # of the original file (EXIF, XMP, ICC, comments) can reach the encoder.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
            out = io.BytesIO()
            clean.save(out, "WEBP", quality=limits.quality)
    except FeedError:
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixelsError(max_pixels=limits.max_pixels) from exc
    except Exception as exc:  # any decoder failure on hostile bytes: not an image we use
        raise NotAnImageError() from exc
    return CleanImage(out.getvalue(), clean.width, clean.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info)


__all__ = ["ACCEPT", "DEFAULT_IMAGE_FETCH", "EXTENSION", "MEDIA_TYPE", "CleanImage", "ImageLimits",
           "fetch_image", "reencode"]
