"""Parse feed bytes with feedparser and normalise every entry.

feedparser only parses here: its network code is never used (the bytes come
in through io.BytesIO), and its own sanitiser and relative-URI resolution are
switched off because they are slow and we do both better afterwards with nh3
and urls.py.  One bad entry is skipped and counted; the feed fails only when
nothing usable came out.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import re
import xml.sax
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from . import slicing
from .errors import NotAFeedError, NoUsableEntriesError, ParseError, UnknownFormatError
from .model import Entry, ParsedFeed
from .sanitize import excerpt, first_image, html_to_text, sanitize_html, strip_forbidden, text_of_sanitized
from .urls import absolute_url, canonical_of_absolute, canonical_url

MAX_KEY = 255
_TITLE_FALLBACK = 100
_EXCERPT_NEED = 400  # characters of text to extract for a ~300-character excerpt
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
# A numeric character reference, in an ASCII-compatible encoding.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _is_xml_char(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _neutralise_char_refs(body: bytes) -> bytes:
    """Replace references to characters XML forbids ("&#0;", "&#xD800;",
    past U+10FFFF) by U+FFFD: feedparser raises on a surrogate or an
    out-of-range one, which would otherwise cost the whole feed."""
    if b"&#" not in body:
        return body

    def replace(match: re.Match[bytes]) -> bytes:
        hex_digits, digits = match.groups()
        code = int(hex_digits, 16) if hex_digits else int(digits)
        return match.group(0) if _is_xml_char(code) else b"&#xFFFD;"

    return _CHAR_REF.sub(replace, body)


def _describe_bozo(exc: BaseException) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}"
    return str(exc) or type(exc).__name__


def _bozo_line(exc: BaseException) -> dict[str, Any]:
    """The line of an XML error, so the app can say where in its own words."""
    return {"line": exc.getLineNumber()} if isinstance(exc, xml.sax.SAXParseException) else {}


def _harmless(exc: BaseException | None) -> bool:
    return isinstance(exc, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType)


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type in _HTML_TYPES and b"<html" in head


def _utc(value: Any, fetched_at: datetime) -> datetime | None:
    """A feedparser time tuple (already UTC) as an aware datetime, not after fetched_at."""
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        second = min(second, 59)  # leap seconds (60) and sloppy feeds (61)
        when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(when, fetched_at)


def _first_date(raw: dict[str, Any], keys: tuple[str, ...], fetched_at: datetime) -> datetime | None:
    # dict.get bypasses FeedParserDict's key aliasing (it would warn and guess).
    for key in keys:
        when = _utc(dict.get(raw, key), fetched_at)
        if when is not None:
            return when
    return None


def _capped_key(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    if len(key) <= MAX_KEY:
        return key
    # Long values are hashed under a different prefix, so a hashed key can
    # never equal a literal one.
    return f"{kind}-sha256:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _dedupe_key(guid: str | None, link: str | None, title: str, raw: dict[str, Any], text: str) -> str:
    if guid and link:
        # A GUID is the entry's identity only with its link: some publishers
        # give one GUID to several articles, which would be merged into one
        # (all but one lost). The same GUID and link stay one entry. A link
        # never holds a newline (canonical_url refuses control characters),
        # so the pair reads back one way only.
        return _capped_key("guid+link", f"{guid}\n{link}")
    if guid:
        return _capped_key("guid", guid)
    if link:
        return _capped_key("link", link)
    # The raw date string, not the normalised date: a missing date falls back
    # to the fetch time, which would give a new key at every poll.
    raw_date = str(dict.get(raw, "published") or dict.get(raw, "updated") or "")
    basis = f"{title}\n{raw_date}\n{'' if raw_date else text[:500]}"
    return "hash:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _entry_link(raw: dict[str, Any]) -> str | None:
    link = dict.get(raw, "link")
    if link:
        return str(link)
    for item in dict.get(raw, "links") or ():
        if item.get("rel", "alternate") == "alternate" and item.get("href"):
            return str(item["href"])
    return None


def _html_field(detail: dict[str, Any] | None, value: str, base: str | None) -> str:
    if not value:
        return ""
    kind = (detail or {}).get("type") or "text/html"
    if kind == "text/plain":
        return htmllib.escape(value, quote=False)
    return sanitize_html(value, base)


def _pick_content(raw: dict[str, Any]) -> dict[str, Any] | None:
    contents = dict.get(raw, "content") or []
    for item in contents:
        if item.get("type") in ("text/html", "application/xhtml+xml") and item.get("value"):
            return dict(item)
    return dict(contents[0]) if contents else None


def _image(raw: dict[str, Any], base: str | None, content_html: str, summary_html: str) -> str | None:
    for thumb in dict.get(raw, "media_thumbnail") or ():
        url = absolute_url(thumb.get("url"), base)
        if url:
            return url
    for media in dict.get(raw, "media_content") or ():
        kind = (media.get("type") or "").lower()
        medium = (media.get("medium") or "").lower()
        url_text = str(media.get("url") or "")
        looks_image = not kind and not medium and url_text.lower().split("?")[0].endswith(_IMAGE_EXTS)
        if medium == "image" or kind.startswith("image/") or looks_image:
            url = absolute_url(url_text, base)
            if url:
                return url
    for link in dict.get(raw, "links") or ():
        if link.get("rel") == "enclosure" and str(link.get("type") or "").lower().startswith("image/"):
            url = absolute_url(link.get("href"), base)
            if url:
                return url
    image = dict.get(raw, "image")  # itunes:image
    if isinstance(image, dict):
        url = absolute_url(image.get("href"), base)
        if url:
            return url
    return first_image(content_html) or first_image(summary_html)


def _categories(raw: dict[str, Any]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in dict.get(raw, "tags") or ():
        text = html_to_text(str(tag.get("term") or tag.get("label") or ""))
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())


def _author(raw: dict[str, Any]) -> str | None:
    detail = dict.get(raw, "author_detail") or {}
    name = html_to_text(str(detail.get("name") or dict.get(raw, "author") or ""))
    return name[:255] or None


def normalise_entry(raw: dict[str, Any], feed_url: str, fetched_at: datetime) -> Entry | None:
    """One feedparser entry as an Entry, or None when it has nothing usable."""
    # Resolved once: the canonical link and the base of the entry's relative URLs both start from it.
    absolute_link = absolute_url(_entry_link(raw), feed_url)
    link = canonical_of_absolute(absolute_link)
    # Relative URLs inside the entry are relative to the entry's own page.
    base = absolute_link or feed_url
    guid = strip_forbidden(str(dict.get(raw, "id") or "")).strip() or None

    summary_raw = str(dict.get(raw, "summary") or "")
    summary_html = _html_field(dict.get(raw, "summary_detail"), summary_raw, base)
    content = _pick_content(raw)
    content_html = ""
    if content:
        value = str(content.get("value") or "")
        # feedparser copies Atom content into summary when there is no
        # summary: reuse the work instead of sanitising twice.
        content_html = summary_html if value == summary_raw else _html_field(content, value, base)

    text = text_of_sanitized(summary_html, _EXCERPT_NEED) or text_of_sanitized(content_html, _EXCERPT_NEED)
    title = html_to_text(str(dict.get(raw, "title") or ""))
    if not title:
        title = excerpt(text, _TITLE_FALLBACK) if text else (link or "")
    if not title and not text:
        return None
    published = _first_date(raw, ("published_parsed", "updated_parsed", "created_parsed"), fetched_at)
    updated = _first_date(raw, ("updated_parsed", "published_parsed", "created_parsed"), fetched_at)
    return Entry(
        dedupe_key=_dedupe_key(guid, link, title, raw, text),
        guid=guid,
        title=title,
        link=link,
        published=published or fetched_at,
        updated=updated or fetched_at,
        summary_html=summary_html,
        content_html=content_html,
        excerpt=excerpt(text),
        image_url=_image(raw, base, content_html, summary_html),
        categories=_categories(raw),
        author=_author(raw),
        dated=published is not None,  # the same keys, in another order: both found or neither
    )


def _feedparser(data: bytes, headers: dict[str, str]) -> Any:
    return feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False,
                            resolve_relative_uris=False)


def _normalise_all(batches: Iterable[list[Any]], url: str, fetched_at: datetime) -> tuple[int, list[Entry], int, int]:
    """(raw entries seen, entries kept, skipped, repeated) from feedparser's entries, batch by batch.

    Each raw entry is let go as soon as it is normalised (popped from the
    reversed list, which feedparser's result shares): a large feed never
    holds its whole parsed tree and all its entries at once.
    """
    entries: list[Entry] = []
    seen: set[str] = set()
    raw_count = skipped = repeated = 0
    for raw_entries in batches:
        raw_count += len(raw_entries)
        raw_entries.reverse()
        while raw_entries:
            raw = raw_entries.pop()
            try:
                entry = normalise_entry(raw, url, fetched_at)
            except Exception:  # one odd entry must not cost the whole feed
                entry = None
            if entry is None:
                skipped += 1
            elif entry.dedupe_key in seen:
                repeated += 1
            else:
                seen.add(entry.dedupe_key)
                entries.append(entry)
    return raw_count, entries, skipped, repeated


def _parse_sliced(data: bytes, headers: dict[str, str], url: str,
                  fetched_at: datetime) -> tuple[Any, int, list[Entry], int, int] | None:
    """A large feed parsed slice by slice (slicing.py), or None to parse it whole.

    The slices must give feedparser's clean reading of every entry: a slice
    it finds malformed, or a count of entries other than the one expat saw,
    and the document is parsed whole instead.
    """
    sliced = slicing.slices(data)
    if sliced is None:
        return None
    expected, pieces = sliced
    first = _feedparser(next(pieces), headers)
    if first.get("bozo") and not _harmless(first.get("bozo_exception")):
        return None

    def batches() -> Iterator[list[Any]]:
        yield first["entries"]
        for piece in pieces:
            result = _feedparser(piece, headers)
            if result.get("bozo") and not _harmless(result.get("bozo_exception")):
                raise _SliceRefused
            yield result["entries"]

    try:
        raw_count, entries, skipped, repeated = _normalise_all(batches(), url, fetched_at)
    except _SliceRefused:
        return None
    if raw_count != expected:
        return None
    return first, raw_count, entries, skipped, repeated


class _SliceRefused(Exception):
    pass


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> ParsedFeed:
    """Parse and normalise a feed; raise ParseError (or a subclass) if unusable.

    Repeated de-duplication keys inside one feed (the same GUID and link twice, say)
    keep the first entry; later ones are dropped and reported in warnings.
    """
    if fetched_at is None:
        fetched_at = datetime.now(UTC)
    elif fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    else:
        fetched_at = fetched_at.astimezone(UTC)
    if not body.strip():
        raise ParseError(detail="the server sent an empty document", reason="empty")

    # The final URL is deliberately NOT passed as content-location: feedparser
    # would resolve GUIDs that look like relative URLs ("42") against it, so
    # the same entry would get a new dedupe key whenever the feed moves.  We
    # resolve links ourselves against ``url`` (xml:base is still honoured).
    headers = {"content-type": content_type} if content_type else {}
    data = _neutralise_char_refs(body)
    outcome = _parse_sliced(data, headers, url, fetched_at)
    if outcome is None:
        result = _feedparser(data, headers)
        outcome = result, *_normalise_all([result.get("entries") or []], url, fetched_at)
    del data
    result, raw_count, entries, skipped, repeated = outcome
    had_entries = raw_count > 0
    bozo: BaseException | None = result.get("bozo_exception") if result.get("bozo") else None
    if not had_entries:
        if _looks_like_html(body, content_type):
            raise NotAFeedError()
        if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):  # JSON (Feed): not supported
            raise UnknownFormatError()
        if bozo is not None and not _harmless(bozo):
            raise ParseError(detail=_describe_bozo(bozo), **_bozo_line(bozo))
        if not result.get("version"):
            raise UnknownFormatError()

    warnings: list[str] = []
    if bozo is not None:
        warnings.append(_describe_bozo(bozo))
    if skipped:
        warnings.append(f"{skipped} entries had nothing usable and were skipped.")
    if repeated:
        warnings.append(f"{repeated} entries repeated an id already seen in this feed and were dropped.")
    if had_entries and not entries:
        raise NoUsableEntriesError()

    feed = result.get("feed") or {}
    language = str(dict.get(feed, "language") or "").strip()[:35] or None
    return ParsedFeed(
        title=html_to_text(str(dict.get(feed, "title") or "")),
        site_url=canonical_url(dict.get(feed, "link"), url),
        language=language,
        entries=entries,
        warnings=warnings,
        skipped_entries=skipped,
    )
