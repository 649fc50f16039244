"""The SSRF guard: which addresses Relais may connect to, checked at connect time."""

from __future__ import annotations

import ipaddress

import httpcore
import pytest
from cf_helpers import SIMPLE_FEED

from content_feeds import BlockedAddressError, FetchSettings, fetch_feed
from content_feeds.errors import InvalidURLError
from content_feeds.netguard import Deadline, GuardedBackend, is_blocked


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata, link-local
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "198.18.0.1",
        "::1",
        "::",
        "fc00::1",  # unique-local
        "fd12:3456::1",
        "fe80::1",  # link-local
        "fe80::1%eth0",
        "ff02::1",  # multicast
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    ],
)
def test_forbidden_addresses(address):
    assert is_blocked(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_public_addresses_are_allowed(address):
    assert not is_blocked(address)


def test_allow_list_wins():
    allowed = (ipaddress.ip_network("10.20.0.0/16"), ipaddress.ip_network("127.0.0.0/8"))
    assert not is_blocked("10.20.3.4", allowed)
    assert is_blocked("10.21.3.4", allowed)
    assert not is_blocked("::ffff:127.0.0.1", allowed)  # mapped form matches the IPv4 entry
    assert is_blocked("::1", allowed)


def test_settings_accept_network_strings():
    settings = FetchSettings(allowed_networks=("10.0.0.0/8", ipaddress.ip_network("fd00::/8")))
    assert settings.allowed_networks == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_private_address_refused_without_allow_list(feed_server):
    url = feed_server.static("/private", SIMPLE_FEED)
    with pytest.raises(BlockedAddressError) as info:
        fetch_feed(url)
    assert info.value.code == "blocked_address"
    assert info.value.message == "This address points to a private network, which Relais may not fetch."
    assert info.value.params["address"] == "127.0.0.1"
    assert feed_server.requests_for("/private") == []  # never connected


def test_private_address_allowed_once_allow_listed(feed_server):
    url = feed_server.static("/private-ok", SIMPLE_FEED)
    result = fetch_feed(url, settings=FetchSettings(allowed_networks=("127.0.0.0/8",)))
    assert result.body == SIMPLE_FEED


def test_host_name_is_checked_after_resolution(feed_server):
    url = feed_server.static("/by-name", SIMPLE_FEED).replace("127.0.0.1", "localhost")
    with pytest.raises(BlockedAddressError):
        fetch_feed(url)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/feed",  # loopback, but outside the /32 allow-list
        "http://10.1.2.3/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/feed",
        "http://[::ffff:127.0.0.2]:{port}/feed",
    ],
)
def test_redirect_from_allowed_host_to_blocked_address(feed_server, target):
    location = target.format(port=feed_server.port)
    path = f"/redirect-to-{abs(hash(target))}"
    url = feed_server.redirect(path, location, 302)
    settings = FetchSettings(allowed_networks=("127.0.0.1/32",))
    with pytest.raises(BlockedAddressError):
        fetch_feed(url, settings=settings)


def test_redirect_to_another_scheme_is_refused(feed_server, settings):
    url = feed_server.redirect("/redirect-to-file", "file:///etc/passwd", 301)
    with pytest.raises(InvalidURLError) as info:
        fetch_feed(url, settings=settings)
    assert info.value.code == "invalid_url"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/feed.xml",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "gopher://example.org/",
        "feed.xml",
        "",
        "http://",
    ],
)
def test_non_http_urls_are_refused(url):
    with pytest.raises(InvalidURLError) as info:
        fetch_feed(url)
    assert "http://" in info.value.message


def test_backend_checks_the_address_it_really_connects_to(feed_server):
    """The guard resolves the name itself and connects to the checked IP."""
    allowed = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
    backend = GuardedBackend(allowed, Deadline(5))
    stream = backend.connect_tcp("localhost", feed_server.port, timeout=5)
    try:
        peer = stream.get_extra_info("server_addr")[0]
        assert backend.connected == [peer]
        assert ipaddress.ip_address(peer).is_loopback
    finally:
        stream.close()

    strict = GuardedBackend((ipaddress.ip_network("192.0.2.0/24"),), Deadline(5))
    with pytest.raises(BlockedAddressError):
        strict.connect_tcp("127.0.0.1", feed_server.port, timeout=5)
    assert strict.connected == []


def test_backend_refuses_unix_sockets():
    backend = GuardedBackend((), Deadline(5))
    with pytest.raises(BlockedAddressError):
        backend.connect_unix_socket("/var/run/docker.sock")


def test_deadline_applies_to_connect():
    deadline = Deadline(0)
    with pytest.raises(httpcore.ConnectTimeout):
        GuardedBackend((), deadline).connect_tcp("93.184.215.14", 80, timeout=5)
