"""The app's logs: configured by the app, one line per request, no visitor's address.

``configure`` sets up the root logger from ``LOG_LEVEL`` and ``LOG_FORMAT``
(``text``: a time, the level, the logger and the message; ``json``: one
object a line) whoever runs the app: ``advocacy serve``, ``advocacy
scheduler`` and gunicorn's workers all build it with ``create_app``.
``RequestLog`` writes one line per request (method, route template, status,
duration), the template rather than the path, so that a line says which
page was asked for without the IDs and link codes in its address.

What the logs may say about a visitor: not their address, unless an operator asks.

A tracked link's click is anonymous by design (privacy principle 4, docs/privacy.md); a log line
with the address of whoever clicked would undo that outside the database.
Two logs the app writes would name it by default:

- werkzeug's request log, under ``advocacy serve``, starts every line with
  the client's address (it is replaced by ours there, see ``make_dev_server``);
- Flask-Limiter logs the key of a limit that is exceeded (at INFO), and
  that key is the client's address (or whatever identifies who is limited).

``LOG_CLIENT_ADDRESSES`` (false by default) keeps both as they were, and
adds the address to our request line. gunicorn writes no access log unless
given ``--access-logfile`` (deploy/gunicorn.conf.py gives none: our line is
the access log); docs/deploy.md gives the proxy a format without the address.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, has_app_context, request
from werkzeug._internal import _log
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

SETTING = "LOG_CLIENT_ADDRESSES"
LIMITER_LOGGER = "flask-limiter"
HIDDEN = "-"
REQUEST_LOGGER = "advocacy.requests"
ROUTE_KEY = "advocacy.route"  # set by each app that routes a request (see note_route)
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Fields a record may carry (logging's ``extra``) that a JSON line shows as its own keys.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "client")


def logs_client_addresses(config) -> bool:
    value = config.get(SETTING)
    if isinstance(value, str):  # an instance config may spell it as text
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and a request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _OurHandler(logging.StreamHandler):
    """The handler ``configure`` installs (so that configuring again replaces it, never doubles it).

    It writes to whatever ``sys.stderr`` is when a line is written, not when
    the app was built (a test runner swaps it between tests)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(config) -> None:
    """Root logging from LOG_LEVEL and LOG_FORMAT, to stderr (the service manager keeps it)."""
    log_format = str(config.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)} (got {log_format!r})")
    level = str(config.get("LOG_LEVEL") or "INFO").strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError(f"LOG_LEVEL: unknown level {level!r}")
    if config.get("TESTING"):
        return  # the test runner captures and shows log records itself
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if isinstance(handler, _OurHandler)]:
        root.removeHandler(handler)
    handler = _OurHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


def note_route(_error: BaseException | None = None) -> None:
    """Tell the request log which route answered: its template, e.g. ``/content/<int:content_id>/share``,
    after the mount point (``/s`` for the tracked links). On teardown, so that a request that a hook
    answered early is named too."""
    if request.url_rule is not None:
        request.environ[ROUTE_KEY] = request.environ.get("SCRIPT_NAME", "") + request.url_rule.rule


class RequestLog:
    """WSGI middleware: one line per request, written once the response is sent."""

    def __init__(self, app: Callable[..., Iterable[bytes]], config) -> None:
        self.app = app
        self.config = config
        self.log = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["500"]  # what the server sends when the app raises before starting a response

        def recording_start_response(status_line: str, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        def write_line() -> None:
            self._write(environ, status[0], (time.perf_counter() - started) * 1000)

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            write_line()
            raise
        return _LoggedBody(body, write_line)

    def _write(self, environ: dict, status: str, duration_ms: float) -> None:
        # A path no route matched is not logged as typed (it may be anything): "-".
        route = environ.get(ROUTE_KEY) or HIDDEN
        fields: dict[str, Any] = {"method": environ.get("REQUEST_METHOD", ""), "route": route,
                                  "status": int(status), "duration_ms": round(duration_ms, 1)}
        message = "%s %s %s %.1fms"
        args: list[Any] = [fields["method"], route, status, duration_ms]
        if logs_client_addresses(self.config):
            fields["client"] = environ.get("REMOTE_ADDR", "")
            message += " client=%s"
            args.append(fields["client"])
        self.log.info(message, *args, extra=fields)


class _LoggedBody:
    """The response body, whose request line is written once: when the server has taken
    its last chunk, or when it closes it, whichever comes first. (werkzeug's server
    skips ``close`` when the client resets the connection right after the response.)"""

    def __init__(self, body: Iterable[bytes], write_line: Callable[[], None]) -> None:
        self._body = body
        self._write_line: Callable[[], None] | None = write_line

    def __iter__(self):
        yield from self._body
        self._once()

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._once()

    def _once(self) -> None:
        write_line, self._write_line = self._write_line, None
        if write_line is not None:
            write_line()


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its own request line (RequestLog writes ours).

    Its other lines (a malformed request, a broken connection) show "-"
    where werkzeug puts the client's address, unless LOG_CLIENT_ADDRESSES.
    Only the log changes: the application still sees ``REMOTE_ADDR`` (the
    rate limits need it).
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        if logs_client_addresses(self.server.app.config):  # type: ignore[attr-defined]
            super().log(type, message, *args)
            return
        # werkzeug's own logging call, so that the line goes where werkzeug's
        # would (its logger, given a handler on first use), address aside.
        _log(type, f"{HIDDEN} - - [{self.log_date_time_string()}] {message}\n", *args)


def make_dev_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """The server `advocacy serve` runs (threaded, like run_simple's), its request lines ours."""
    return make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)


class _HideLimitKey(logging.Filter):
    """Blanks the key in Flask-Limiter's "ratelimit ... exceeded" line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (str(record.msg).startswith("ratelimit ") and isinstance(record.args, tuple) and len(record.args) == 3
                and not (has_app_context() and logs_client_addresses(current_app.config))):
            limit, _key, scope = record.args
            record.args = (limit, HIDDEN, scope)
        return True


def init_app(app: Flask) -> None:
    configure(app.config)
    limiter_log = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(existing, _HideLimitKey) for existing in limiter_log.filters):
        limiter_log.addFilter(_HideLimitKey())
    app.teardown_request(note_route)


def wrap(app: Flask) -> None:
    """The request log, outermost (after ProxyFix has set the client's address)."""
    app.wsgi_app = RequestLog(app.wsgi_app, app.config)  # type: ignore[method-assign]
