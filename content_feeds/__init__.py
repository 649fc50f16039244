"""content_feeds: fetch, parse, normalise and sanitise RSS/Atom feeds.

Flask-free and database-free on purpose (docs/architecture.md): the app's ingest
service calls ``fetch_feed`` then ``parse_feed`` and stores the Entries.
Every failure is a FeedError with a stable ``code`` and ``params`` so the app
can show a translated, curator-friendly message.
"""

from .errors import (
    AccessDeniedError,
    BlockedAddressError,
    ConnectError,
    DNSError,
    FeedError,
    FetchError,
    FetchTimeoutError,
    GoneError,
    HTTPStatusError,
    ImageError,
    InvalidURLError,
    NotAFeedError,
    NotAnImageError,
    NotFoundError,
    NoUsableEntriesError,
    OpmlError,
    ParseError,
    ProtocolError,
    RateLimitedError,
    RedirectError,
    RedirectLoopError,
    ServerError,
    TLSError,
    TooLargeError,
    TooManyPixelsError,
    UnknownFormatError,
    error_templates,
)
from .fetch import DEFAULT_USER_AGENT, FetchResult, FetchSettings, fetch_feed
from .images import CleanImage, ImageLimits, fetch_image, reencode
from .model import Entry, ParsedFeed
from .opml import OpmlOutline, iter_feeds, parse_opml, write_opml
from .parse import parse_feed
from .sanitize import html_to_text, sanitize_html, without_images
from .urls import MAX_URL_LENGTH, absolute_url, canonical_url

__all__ = [
    "DEFAULT_USER_AGENT",
    "MAX_URL_LENGTH",
    "AccessDeniedError",
    "BlockedAddressError",
    "CleanImage",
    "ConnectError",
    "DNSError",
    "Entry",
    "FeedError",
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "FetchTimeoutError",
    "GoneError",
    "HTTPStatusError",
    "ImageError",
    "ImageLimits",
    "InvalidURLError",
    "NoUsableEntriesError",
    "NotAFeedError",
    "NotAnImageError",
    "NotFoundError",
    "OpmlError",
    "OpmlOutline",
    "ParseError",
    "ParsedFeed",
    "ProtocolError",
    "RateLimitedError",
    "RedirectError",
    "RedirectLoopError",
    "ServerError",
    "TLSError",
    "TooLargeError",
    "TooManyPixelsError",
    "UnknownFormatError",
    "absolute_url",
    "canonical_url",
    "error_templates",
    "fetch_feed",
    "fetch_image",
    "html_to_text",
    "iter_feeds",
    "parse_feed",
    "parse_opml",
    "reencode",
    "sanitize_html",
    "without_images",
    "write_opml",
]
