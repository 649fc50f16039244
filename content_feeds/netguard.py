"""SSRF guard and wall-clock deadline, enforced at the socket level.

Why at the socket level: checking a host name with a separate DNS look-up and
then letting the HTTP client resolve it again is racy (DNS rebinding can answer
a public address to the check and 127.0.0.1 to the client).  Here the network
backend resolves the host itself, refuses if *any* answer is forbidden,
connects to the checked IP literal, and then checks the peer address of the
socket it really got.  httpcore still runs TLS with the original host name
(SNI and certificate checks use the URL's host, not the address we dialled).

The same backend wraps every stream so each read/write/TLS handshake gets at
most the time left before the fetch's deadline: per-operation timeouts alone
would let a server that drips one byte a second keep us busy for ever.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator, Sequence

import httpcore
import httpx

from .errors import BlockedAddressError, DNSError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges Python's ipaddress flags do not all cover consistently across versions;
# listed explicitly so the policy does not depend on the interpreter.
_EXTRA_BLOCKED: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("0.0.0.0/8"),  # "this network"
    ipaddress.ip_network("100.64.0.0/10"),  # CGNAT shared address space
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("240.0.0.0/4"),  # reserved, incl. broadcast
    ipaddress.ip_network("fc00::/7"),  # IPv6 unique-local
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    ipaddress.ip_network("fec0::/10"),  # IPv6 site-local (deprecated)
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, NAT64, 6to4, Teredo)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _forbidden(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # ::ffff:a.b.c.d reaches a.b.c.d: judge it as that IPv4 address.
        return _forbidden(ip.ipv4_mapped)
    if (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    ):
        return True
    if any(ip.version == net.version and ip in net for net in _EXTRA_BLOCKED):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and _forbidden(inner):
            return True
    return False


def is_blocked(ip: IPAddress | str, allowed: Sequence[IPNetwork] = ()) -> bool:
    """True when Relais must not connect to ``ip``.

    The allow-list wins over the block-list so an admin can let Relais read an
    intranet feed on purpose (ADVOCACY_FEED_ALLOWED_NETWORKS).  An IPv4-mapped
    IPv6 address is matched against IPv4 allow-list entries too.
    """
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone id
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    for cand in candidates:
        if any(cand.version == net.version and cand in net for net in allowed):
            return False
    return _forbidden(ip)


class Deadline:
    """A wall-clock budget shared by every network operation of one fetch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def clamp(self, timeout: float | None, exc: type[Exception]) -> float:
        left = self.remaining()
        if left <= 0:
            raise exc("deadline exceeded")
        return left if timeout is None else min(timeout, left)


def _resolve(host: str, port: int, timeout: float) -> list[tuple[int, str]]:
    """getaddrinfo with a timeout (it has none of its own), as (family, ip)."""
    result: list[typing.Any] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # reported to the caller below
            error.append(exc)

    # A daemon thread: if DNS hangs we stop waiting; the thread ends on its own.
    worker = threading.Thread(target=run, name="content-feeds-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise httpcore.ConnectTimeout(f"DNS look-up of {host} timed out")
    if error:
        raise DNSError(host=host) from error[0]
    seen: dict[str, int] = {}
    for family, _type, _proto, _name, sockaddr in result:
        seen.setdefault(str(sockaddr[0]), family)
    return [(family, ip) for ip, family in seen.items()]


class DeadlineStream(httpcore.NetworkStream):
    """Delegates to a real stream, cutting every timeout to the time left."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks, connects to the checked IP, and re-checks the peer."""

    def __init__(self, allowed: Sequence[IPNetwork], deadline: Deadline) -> None:
        self._allowed = tuple(allowed)
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()
        # Peer addresses actually connected to, for diagnostics and tests.
        self.connected: list[str] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        clean_host = host.strip("[]")
        try:
            addresses = [(0, str(ipaddress.ip_address(clean_host)))]
        except ValueError:
            addresses = _resolve(clean_host, port, self._deadline.clamp(timeout, httpcore.ConnectTimeout))
        # Refuse if any answer is forbidden: a name that mixes public and
        # private answers is either misconfigured or an attack.
        for _family, ip in addresses:
            if is_blocked(ip, self._allowed):
                raise BlockedAddressError(host=clean_host, address=ip)
        last_exc: Exception | None = None
        for _family, ip in addresses:
            try:
                stream = self._inner.connect_tcp(
                    ip,
                    port,
                    timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                last_exc = exc
                continue
            peer = stream.get_extra_info("server_addr")
            peer_ip = str(peer[0]) if peer else ""
            # Belt and braces: what we are really connected to must pass too.
            if not peer_ip or is_blocked(peer_ip, self._allowed):
                stream.close()
                raise BlockedAddressError(host=clean_host, address=peer_ip or ip)
            self.connected.append(peer_ip)
            return DeadlineStream(stream, self._deadline)
        assert last_exc is not None
        raise last_exc

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddressError(host=path, address=path)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that uses GuardedBackend.

    No proxy support on purpose: through a proxy the connected address would
    be the proxy's and the guard would check nothing.  httpcore exceptions are
    left for the caller (fetch.py) to turn into curator-facing errors.
    """

    def __init__(self, backend: GuardedBackend, ssl_context: ssl.SSLContext | None = None) -> None:
        self.backend = backend
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=4,
            http1=True,
            http2=False,
            retries=0,
            network_backend=backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        core_response = self._pool.handle_request(core_request)
        assert isinstance(core_response.stream, Iterable)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_ResponseStream(core_response.stream),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def check_host(host: str, port: int, allowed: Sequence[IPNetwork] = (), timeout: float = 5.0) -> list[str]:
    """The addresses ``host`` resolves to, once each passed the same rule as a connection.

    For callers that must refuse an address before anything is sent (a
    webhook's address as an admin types it); the connection itself is still
    checked by GuardedBackend, since a name may resolve differently later.
    Raises DNSError when the name is unknown, BlockedAddressError when any
    answer is forbidden.
    """
    clean_host = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(clean_host))]
    except ValueError:
        try:
            addresses = [ip for _family, ip in _resolve(clean_host, port, timeout)]
        except httpcore.ConnectTimeout as exc:
            raise DNSError(host=clean_host) from exc
    for ip in addresses:
        if is_blocked(ip, allowed):
            raise BlockedAddressError(host=clean_host, address=ip)
    return addresses
