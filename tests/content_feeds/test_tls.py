"""TLS through the guarded backend: we dial the checked IP, yet the
certificate is still verified against the URL's host name (SNI included)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cf_helpers import SIMPLE_FEED

from content_feeds import FetchSettings, fetch_feed
from content_feeds.errors import TLSError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not available")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(SIMPLE_FEED)))
        self.end_headers()
        self.wfile.write(SIMPLE_FEED)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, list[str]]]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name or "")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], cert, server_names
    finally:
        server.shutdown()
        server.server_close()


def test_https_with_hostname_uses_sni_and_verifies(tls_server):
    port, cert, server_names = tls_server
    settings = FetchSettings(allowed_networks=("127.0.0.0/8", "::1/128"), ca_bundle=str(cert))
    result = fetch_feed(f"https://localhost:{port}/feed", settings=settings)
    assert result.body == SIMPLE_FEED
    assert "localhost" in server_names  # SNI carried the host name, not the IP we dialled


def test_certificate_for_another_name_is_refused(tls_server):
    port, cert, _ = tls_server
    settings = FetchSettings(allowed_networks=("127.0.0.0/8",), ca_bundle=str(cert))
    with pytest.raises(TLSError) as info:
        fetch_feed(f"https://127.0.0.1:{port}/feed", settings=settings)  # cert names only "localhost"
    assert info.value.code == "tls"


def test_untrusted_certificate_is_refused(tls_server):
    port, _, _ = tls_server
    with pytest.raises(TLSError):
        fetch_feed(
            f"https://localhost:{port}/feed", settings=FetchSettings(allowed_networks=("127.0.0.0/8", "::1/128"))
        )
