"""URL helpers shared by views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only follow local paths: no scheme, no host, no protocol-relative '//'."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and not any(ord(c) < 32 for c in target)):
            return target
    return url_for(default_endpoint)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for e-mails: BASE_URL when configured, else the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def current_path() -> str:
    return request.full_path.rstrip("?")


def tracked_url(code: str) -> str:
    """The public address of a tracked link (/s/<code>), as ambassadors post it."""
    base = current_app.config.get("BASE_URL") or request.host_url
    return f"{base.rstrip('/')}/s/{code}"
