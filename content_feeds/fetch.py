"""Download a feed over HTTP(S) safely.

httpx does the HTTP; netguard.py decides which addresses may be dialled and
enforces the wall-clock deadline.  Redirects are followed here, by hand, so
that every hop's scheme is checked (its address is checked when it connects),
loops are caught and we can tell a permanent move (only 301/308) from a
temporary one.  The body is decompressed here too, with a bounded inflater,
so the size cap counts decompressed bytes and a gzip bomb never expands past
the cap in memory.
"""

from __future__ import annotations

import functools
import ipaddress
import ssl
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from .errors import (
    ConnectError,
    FeedError,
    FetchTimeoutError,
    HTTPStatusError,
    InvalidURLError,
    ProtocolError,
    RedirectError,
    RedirectLoopError,
    TLSError,
    TooLargeError,
    format_size,
    http_status_error,
)
from .netguard import Deadline, GuardedBackend, GuardedTransport, IPNetwork

DEFAULT_USER_AGENT = "Relais/0.1 (+https://github.com/relais-advocacy/relais; feed fetcher)"

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 5.0
    # Wall-clock budget for the whole fetch: DNS, connects, TLS, every
    # redirect hop and the body.
    deadline: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    # Networks exempt from the SSRF guard (ADVOCACY_FEED_ALLOWED_NETWORKS).
    # Strings such as "10.0.0.0/8" are accepted and converted.
    allowed_networks: tuple[IPNetwork, ...] = field(default=())
    # PEM file of CA certificates to trust instead of certifi's bundle, e.g.
    # an internal CA for allow-listed intranet feeds.  None: public CAs.
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        nets = tuple(
            n if isinstance(n, ipaddress.IPv4Network | ipaddress.IPv6Network) else ipaddress.ip_network(n)
            for n in self.allowed_networks
        )
        object.__setattr__(self, "allowed_networks", nets)


@dataclass(frozen=True)
class FetchResult:
    not_modified: bool
    url: str  # final URL, after redirects
    permanent_url: str | None  # final URL when every hop was 301/308, else None
    body: bytes  # decompressed; b"" when not modified
    content_type: str | None
    etag: str | None
    last_modified: str | None
    status: int


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC without a claim of locality
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@functools.lru_cache(maxsize=8)
def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """One verifying context per CA bundle, shared by every fetch.

    Loading the CA certificates costs about 20 ms, more than a whole 304
    round trip; an SSLContext is safe to share between threads.
    """
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return httpx.create_ssl_context()


def _check_url(url: str | httpx.URL) -> httpx.URL:
    text = str(url).strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidURLError(url=text) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidURLError(url=text)
    return parsed


class _Inflater:
    """Incremental, bounded decoder for Content-Encoding gzip/deflate/identity."""

    def __init__(self, encoding: str, host: str) -> None:
        self._host = host
        self._encoding = encoding
        self._obj: zlib._Decompress | None
        if encoding in ("", "identity"):
            self._obj = None
        elif encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._obj = zlib.decompressobj(zlib.MAX_WBITS)
        else:  # we only advertise gzip and deflate
            raise ProtocolError(host=host)
        self._first = True

    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode ``data``, producing at most ``limit + 1`` bytes (enough to
        know the cap is exceeded without inflating the rest)."""
        if self._obj is None:
            return data
        try:
            out = self._obj.decompress(data, limit + 1)
        except zlib.error:
            # Some servers send raw DEFLATE (no zlib header) as "deflate".
            if self._encoding == "deflate" and self._first:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self.decode(data, limit)
            raise ProtocolError(host=self._host) from None
        self._first = False
        while self._obj.unconsumed_tail and len(out) <= limit:
            out += self._obj.decompress(self._obj.unconsumed_tail, limit + 1 - len(out))
        return out


def _read_body(response: httpx.Response, max_bytes: int, host: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(limit=format_size(max_bytes), max_bytes=max_bytes)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    inflater = _Inflater(encoding, host)
    body = bytearray()
    raw_total = 0
    for chunk in response.iter_raw(_CHUNK):
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise TooLargeError(limit=format_size(max_bytes), max_bytes=max_bytes)
        body += inflater.decode(chunk, max_bytes - len(body))
        if len(body) > max_bytes:
            raise TooLargeError(limit=format_size(max_bytes), max_bytes=max_bytes)
    return bytes(body)


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    settings: FetchSettings | None = None,
    accept: str = _ACCEPT,
) -> FetchResult:
    """GET ``url`` with every safety rule applied; raise a FeedError on failure.

    ``accept`` is the Accept header: feeds by default; images.py asks for images
    through this same guarded path.
    """
    settings = settings or FetchSettings()
    current = _check_url(url)
    deadline = Deadline(settings.deadline)
    transport = GuardedTransport(GuardedBackend(settings.allowed_networks, deadline), _ssl_context(settings.ca_bundle))
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.deadline,
        write=settings.deadline,
        pool=settings.deadline,
    )
    seen = {str(current)}
    permanent = True
    hops = 0
    try:
        with httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: see GuardedTransport
            timeout=timeout,
            headers=headers,
        ) as client:
            while True:
                with client.stream("GET", current) as response:
                    status = response.status_code
                    if status in _REDIRECTS and "location" in response.headers:
                        target = _check_url(current.join(response.headers["location"].strip()))
                        hops += 1
                        if str(target) in seen:
                            raise RedirectLoopError(max_redirects=settings.max_redirects)
                        if hops > settings.max_redirects:
                            raise RedirectError(max_redirects=settings.max_redirects)
                        permanent = permanent and status in _PERMANENT
                        seen.add(str(target))
                        current = target
                        continue
                    if status == 304:
                        return FetchResult(
                            not_modified=True,
                            url=str(current),
                            permanent_url=str(current) if hops and permanent else None,
                            body=b"",
                            content_type=response.headers.get("content-type"),
                            etag=response.headers.get("etag", etag),
                            last_modified=response.headers.get("last-modified", last_modified),
                            status=status,
                        )
                    if not 200 <= status < 300:
                        raise http_status_error(status, parse_retry_after(response.headers.get("retry-after")))
                    body = _read_body(response, settings.max_bytes, current.host)
                    return FetchResult(
                        not_modified=False,
                        url=str(current),
                        permanent_url=str(current) if hops and permanent else None,
                        body=body,
                        content_type=response.headers.get("content-type"),
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        status=status,
                    )
    except FeedError:
        raise
    except (httpcore.TimeoutException, httpx.TimeoutException) as exc:
        connect_phase = isinstance(exc, httpcore.ConnectTimeout | httpx.ConnectTimeout)
        seconds = settings.connect_timeout if connect_phase and not deadline.expired() else settings.deadline
        raise FetchTimeoutError(seconds=seconds) from exc
    except (httpcore.ConnectError, httpx.ConnectError) as exc:
        if _is_tls_failure(exc):
            raise TLSError(host=current.host) from exc
        raise ConnectError(host=current.host) from exc
    except (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise InvalidURLError(url=str(current)) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpx.TransportError) as exc:
        if _is_tls_failure(exc):
            raise TLSError(host=current.host) from exc
        raise ProtocolError(host=current.host) from exc


__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchResult",
    "FetchSettings",
    "HTTPStatusError",
    "fetch_feed",
    "parse_retry_after",
]
