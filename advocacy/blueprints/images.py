"""/img/<sha256>.webp: the images Relais copied (services/images.py), served from its own origin.

Public, like the publishers' pictures they copy: the address is the SHA-256
of the bytes, so it names one image for ever and browsers keep it a year
without asking again. No session is read and no cookie set, so shared caches
may keep it too.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, request, url_for

from ..db import get_session
from ..services import images

bp = Blueprint("images", __name__, url_prefix="/img")

_NAME = re.compile(r"([0-9a-f]{64})\.[a-z]+")
ONE_YEAR = 365 * 24 * 3600


@bp.app_template_global()
def image_src(sha256: str | None) -> str | None:
    """``<img src="{{ image_src(item.image_sha256) }}">``: the copy's address, or None without one."""
    return url_for("images.show", name=images.file_name(sha256)) if sha256 else None


@bp.route("/<name>")
def show(name: str):
    match = _NAME.fullmatch(name)
    if match is None or images.file_name(match.group(1)) != name:
        abort(404)
    sha256 = match.group(1)
    etag = f'"{sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)  # the name is the content: what the browser has is current
    else:
        image = images.stored_image(get_session(), sha256)
        if image is None:
            abort(404)
        response = Response(image.data, mimetype=image.media_type)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["ETag"] = etag
    # Only Relais' own pages may show it (other sites embedding it would learn nothing, but need not).
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
