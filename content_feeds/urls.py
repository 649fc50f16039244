"""URL cleaning: absolute http(s) only, tracking parameters removed.

Links end up in posts that ambassadors share, so they must be safe (no
``javascript:`` or ``data:``) and must not carry someone else's campaign
tracking.  The canonical form is also what de-duplicates entries whose GUID
is missing.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

# Query parameters that only identify a campaign or a click, never content.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid",
        "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp", "hsctatracking",
        "ref_src", "ref_url", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "wickedid", "_ga", "_gl", "srsltid",
        "ncid", "sr_share", "at_medium", "at_campaign", "xtor",
        "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content", "pk_cid",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mtm_", "matomo_")

# Browsers drop tab/CR/LF anywhere in a URL and trim C0 controls and spaces at
# the ends; doing the same stops "jav\tascript:" from hiding its scheme.
_STRIP_INSIDE = re.compile(r"[\t\r\n]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_SAFE_SCHEMES = frozenset({"http", "https"})
# What is left after cleaning may still hide a control character (a NUL, an
# escape): no browser would follow such a link and no database stores a NUL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Longer URLs are treated as no URL: cutting one breaks it, and the app's
# link and image columns hold 2,048 characters (what browsers and most
# servers accept anyway).
MAX_URL_LENGTH = 2048


def _clean(raw: str) -> str:
    return _STRIP_INSIDE.sub("", raw).strip(_C0_AND_SPACE)


def absolute_url(url: str | None, base: str | None = None, schemes: frozenset[str] = _SAFE_SCHEMES) -> str | None:
    """``url`` resolved against ``base``, or None unless its scheme is allowed.

    Unlike canonical_url this keeps the query and fragment: it is for images
    and links inside content, which must work exactly as written.
    """
    if not url:
        return None
    cleaned = _clean(url)
    if not cleaned:
        return None
    try:
        if base:
            cleaned = urljoin(_clean(base), cleaned)
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme in _SAFE_SCHEMES and not parts.hostname:
        return None
    if len(cleaned) > MAX_URL_LENGTH or _CONTROL.search(cleaned):
        return None
    return cleaned


def _is_tracking(name: str) -> bool:
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The canonical, shareable form of ``url``, or None if it has none.

    Absolute http(s) only (relative URLs are resolved against ``base``);
    scheme and host lowercased; default port, user info and fragment
    dropped; tracking parameters removed while every other parameter keeps
    its order and exact encoding.
    """
    return canonical_of_absolute(absolute_url(url, base))


def canonical_of_absolute(absolute: str | None) -> str | None:
    """canonical_url of a URL that absolute_url has already resolved and checked."""
    if absolute is None:
        return None
    try:
        parts = urlsplit(absolute)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # e.g. a non-numeric port
        return None
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        host = f"{host}:{port}"
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    path = parts.path or "/"
    canonical = urlunsplit((scheme, host.lower(), path, "&".join(kept), ""))
    return canonical if len(canonical) <= MAX_URL_LENGTH else None
