"""A real HTTP server on 127.0.0.1 for feed tests (content_feeds and the app).

The server runs http.server in a thread on an ephemeral port.  Each test
registers the routes it needs (path -> handler function), so behaviours such
as stalling mid-body or redirect chains are plain Python next to the test.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests.append({"path": self.path, "headers": dict(self.headers.items())})
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as in several tests
            route(self)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for stalling handlers at shutdown

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.routes: dict[str, Handler] = {}
        self.requests: list[dict[str, Any]] = []


class FeedServer:
    def __init__(self, server: _Server) -> None:
        self._server = server
        self.port = server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self._server.routes[path] = handler
        return self.url(path)

    def static(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        def handler(req: BaseHTTPRequestHandler) -> None:
            req.send_response(status)
            req.send_header("Content-Type", content_type)
            req.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                req.send_header(name, value)
            req.end_headers()
            req.wfile.write(body)

        return self.route(path, handler)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        def handler(req: BaseHTTPRequestHandler) -> None:
            req.send_response(status)
            req.send_header("Location", location)
            req.send_header("Content-Length", "0")
            req.end_headers()

        return self.route(path, handler)

    def requests_for(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self._server.requests if r["path"] == path]


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, name="feed-test-server", daemon=True)
    thread.start()
    try:
        yield FeedServer(server)
    finally:
        server.shutdown()
        server.server_close()
