"""Typed errors for everything that can go wrong with a feed.

Every error carries three things:

* ``code``: a stable identifier the app uses to pick a translated message;
* ``params``: the values that message needs (never personal data);
* ``message``: the plain-English text, built from the class's ``template`` and
  ``params``, so a curator who reads it knows what is wrong without knowing
  HTTP.  ``str(error) == error.message``.

Templates are class attributes, and ``error_templates()`` lists every code
with its template, so the app can check that it has a translated message for
each code.
"""

from __future__ import annotations

from typing import Any, ClassVar


def format_size(num_bytes: int) -> str:
    """Human size in binary units: curators read "10 MiB", not 10485760."""
    size = float(num_bytes)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{int(size)} bytes"
            return f"{size:.4g} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class FeedError(Exception):
    """Base of every error this library raises on purpose."""

    code: ClassVar[str] = "feed_error"
    template: ClassVar[str] = "The feed could not be read."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.params: dict[str, Any] = params
        self.message: str = message if message is not None else self.template.format(**params)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, params={self.params!r})"


# --- fetching ---------------------------------------------------------------


class FetchError(FeedError):
    code = "fetch_error"
    template = "Relais could not download the feed."


class InvalidURLError(FetchError):
    code = "invalid_url"
    template = "Relais can only fetch web addresses starting with http:// or https://."


class BlockedAddressError(FetchError):
    code = "blocked_address"
    template = "This address points to a private network, which Relais may not fetch."


class DNSError(FetchError):
    code = "dns"
    template = "The server name {host} could not be found. Check the address for typos."


class ConnectError(FetchError):
    code = "connect"
    template = "Relais could not connect to the server {host}. It may be down or refusing connections."


class TLSError(FetchError):
    code = "tls"
    template = "The secure connection to {host} failed: its certificate could not be verified."


class ProtocolError(FetchError):
    code = "protocol"
    template = "The server {host} sent a broken or incomplete answer."


class FetchTimeoutError(FetchError):
    code = "timeout"
    template = "The server took longer than {seconds:g} seconds to answer."


class TooLargeError(FetchError):
    code = "too_large"
    template = "The feed is larger than {limit}."


class RedirectError(FetchError):
    code = "redirects"
    template = "The address redirects more than {max_redirects} times; Relais gave up following it."


class RedirectLoopError(RedirectError):
    code = "redirect_loop"
    template = "The address redirects in a loop and never reaches a feed."


class HTTPStatusError(FetchError):
    """Any non-success HTTP answer; subclasses give clearer words for common ones."""

    code = "http_status"
    template = "The server answered with an error (HTTP {status})."

    def __init__(self, status: int, retry_after: float | None = None, message: str | None = None) -> None:
        self.status = status
        # Seconds the server asked us to wait (Retry-After on 429/503), or None.
        self.retry_after = retry_after
        super().__init__(message, status=status, retry_after=retry_after)


class NotFoundError(HTTPStatusError):
    code = "not_found"
    template = "The server says there is no feed at this address (HTTP {status})."


class GoneError(HTTPStatusError):
    code = "gone"
    template = "The server says this feed is gone (HTTP {status})."


class AccessDeniedError(HTTPStatusError):
    code = "access_denied"
    template = "The server refuses to give Relais this feed (HTTP {status})."


class RateLimitedError(HTTPStatusError):
    code = "rate_limited"
    template = "The server asks Relais to slow down (HTTP {status}); it will try again later."


class ServerError(HTTPStatusError):
    code = "server_error"
    template = "The server had an internal problem (HTTP {status}); Relais will try again later."


def http_status_error(status: int, retry_after: float | None = None) -> HTTPStatusError:
    """The most specific error class for an HTTP status."""
    cls: type[HTTPStatusError]
    if status == 410:
        cls = GoneError
    elif status == 404:
        cls = NotFoundError
    elif status in (401, 403, 451):
        cls = AccessDeniedError
    elif status in (429, 503):
        cls = RateLimitedError
    elif status >= 500:
        cls = ServerError
    else:
        cls = HTTPStatusError
    return cls(status, retry_after=retry_after)


# --- images -----------------------------------------------------------------


class ImageError(FeedError):
    """An image (a feed item's, or one a curator typed) Relais will not store."""

    code = "image_error"
    template = "Relais could not use this image."


class NotAnImageError(ImageError):
    code = "not_an_image"
    template = "This address does not return an image Relais can read (JPEG, PNG, GIF or WebP)."


class TooManyPixelsError(ImageError):
    code = "too_many_pixels"
    template = "The image has more than {max_pixels} pixels."


# --- parsing ----------------------------------------------------------------


class ParseError(FeedError):
    """``detail`` is English (some of it from the XML parser); ``reason`` and
    ``line``, when present, let the app say it in the reader's language."""

    code = "invalid_xml"
    template = "The feed is not valid XML: {detail}."


class NoUsableEntriesError(ParseError):
    code = "no_usable_entries"
    template = "The feed has entries, but none of them has a title, a text or a link that Relais can use."


class NotAFeedError(ParseError):
    code = "not_a_feed"
    template = "This address returns a web page, not a feed."


class UnknownFormatError(ParseError):
    code = "unknown_format"
    template = "This address does not return an RSS or Atom feed that Relais understands."


class OpmlError(ParseError):
    code = "invalid_opml"
    template = "The OPML file could not be read: {detail}."


def error_templates() -> dict[str, str]:
    """Every error code with its English template, for the app's translations."""
    templates: dict[str, str] = {}
    pending: list[type[FeedError]] = [FeedError]
    while pending:
        cls = pending.pop()
        templates.setdefault(cls.code, cls.template)
        pending.extend(cls.__subclasses__())
    return templates
