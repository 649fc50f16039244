"""HTML sanitising and HTML-to-text, with nh3 (ammonia) on an explicit allow-list.

Feed HTML is written by strangers and shown to staff and ambassadors, so we
keep only plain formatting, links and images.  Everything not listed below
goes: scripts, styles, frames, objects, forms, SVG/MathML, event handlers,
``style``/``class``/``id`` attributes, and every URL that is not http(s)
(``mailto:`` too for links).  Relative links are made absolute against the
entry's link or the feed URL, because the HTML will be shown elsewhere.
"""

from __future__ import annotations

import functools
import html as htmllib
import re

import nh3

from .urls import absolute_url

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd",
        "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
        "tr", "u", "ul", "var",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
}
# Removed together with their content (nh3 would otherwise keep the text).
DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "template", "svg", "math", "noscript", "title"}
)
LINK_REL = "noopener noreferrer nofollow"
_HREF_SCHEMES = frozenset({"http", "https", "mailto"})
_SRC_SCHEMES = frozenset({"http", "https"})

# Serialised nh3 output is well-formed, attributes double-quoted, so these
# simple patterns are reliable on it (never on raw feed HTML).
_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|pre|figure|figcaption|dd|dt|hr)\b", re.I)
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"', re.I)
_SPACES = re.compile(r"\s+")
# Characters XML 1.0 forbids, which feeds still smuggle in (raw or as "&#0;"):
# PostgreSQL refuses U+0000 in text and lone surrogates cannot be encoded.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PARTIAL_TAG = re.compile(r"<[^>]*$")


# Attribute values nh3 kept that are not already absolute: they need resolving.
_RELATIVE_URL_ATTR = re.compile(r'(<(?:a|img)\b(?:[^>"]|"[^"]*")*?)\s(href|src)="(?!https?://|mailto:)([^"]*)"', re.I)


@functools.cache
def _cleaner() -> nh3.Cleaner:
    # Built once (lazily, not at import): rebuilding the allow-list on every
    # call costs more than the cleaning itself on short entries.
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(_HREF_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@functools.cache
def _imageless_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS - {"img"}),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag != "img"},
        url_schemes=set(_HREF_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@functools.cache
def _text_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(), clean_content_tags=set(DROP_WITH_CONTENT))


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Safe HTML for display: allow-listed tags, absolute http(s) URLs, rel on links."""
    if not html:
        return ""
    cleaned = _cleaner().clean(html)
    if ' href="' not in cleaned and ' src="' not in cleaned:
        return cleaned

    def resolve(match: re.Match[str]) -> str:
        # nh3 has already refused non-allowed schemes but lets relative URLs
        # through; resolve them and re-check the scheme of the result.
        tag_start, attr, value = match.group(1), match.group(2).lower(), htmllib.unescape(match.group(3))
        url = absolute_url(value, base_url, _HREF_SCHEMES if attr == "href" else _SRC_SCHEMES)
        if url is None:
            return tag_start  # drop the attribute: an <a> without href is plain text
        return f'{tag_start} {attr}="{htmllib.escape(url, quote=True)}"'

    return _RELATIVE_URL_ATTR.sub(resolve, cleaned)


def without_images(sanitized_html: str) -> str:
    """Sanitised HTML minus its <img> elements, for display.

    Their sources are on the publishers' hosts, which a reader's browser must
    never be sent to (the app shows the entry's own image from its copy).
    """
    if "<img" not in sanitized_html:
        return sanitized_html
    return _imageless_cleaner().clean(sanitized_html)


def strip_forbidden(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def collapse(text: str) -> str:
    return _SPACES.sub(" ", strip_forbidden(text)).strip()


def html_to_text(html: str) -> str:
    """Plain text from untrusted HTML: tags and scripts gone, entities decoded."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return collapse(html)
    stripped = _text_cleaner().clean(html)
    return collapse(htmllib.unescape(stripped))


def text_of_sanitized(html: str, need: int | None = None) -> str:
    """Plain text of HTML that came out of sanitize_html (cheap: no re-parse).

    Block boundaries become spaces so "<p>a</p><p>b</p>" reads "a b".  With
    ``need``, only enough of the HTML to give that many characters is read:
    an excerpt does not justify converting a 1 MB article.
    """
    if not html:
        return ""
    size = len(html) if need is None else max(need * 8, 2048)
    while True:
        chunk = html[:size]
        if size < len(html):
            chunk = _PARTIAL_TAG.sub("", chunk)  # a tag cut in half at the end
        spaced = _BLOCK_TAG.sub(lambda m: " " + m.group(0), chunk)
        text = collapse(htmllib.unescape(_TAG.sub("", spaced)))
        if size >= len(html) or need is None or len(text) > need:
            return text
        size *= 4


def excerpt(text: str, limit: int = 300) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def first_image(sanitized_html: str) -> str | None:
    """The first <img src> in sanitised HTML (already absolute http(s))."""
    match = _IMG_SRC.search(sanitized_html)
    if not match:
        return None
    return absolute_url(htmllib.unescape(match.group(1)), None, _SRC_SCHEMES)
