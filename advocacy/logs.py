"""What the app's logs may say about a visitor: not their address, unless an operator asks.

A tracked link's click is anonymous by design (DESIGN §2.4); a log line
with the address of whoever clicked would undo that outside the database.
Two logs the app writes would name it by default:

- werkzeug's request log, under ``advocacy serve``, starts every line with
  the client's address;
- Flask-Limiter logs the key of a limit that is exceeded (at INFO), and
  that key is the client's address (or whatever identifies who is limited).

``LOG_CLIENT_ADDRESSES`` (false by default) keeps both as they were.
gunicorn writes no access log unless given ``--access-logfile``;
docs/operations.md gives it, and the proxy, a format without the address.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, has_app_context
from werkzeug._internal import _log
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

SETTING = "LOG_CLIENT_ADDRESSES"
LIMITER_LOGGER = "flask-limiter"
HIDDEN = "-"


def logs_client_addresses(config) -> bool:
    value = config.get(SETTING)
    if isinstance(value, str):  # an instance config may spell it as text
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class AddressFreeRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, whose log lines show "-" where the client's address was.

    Only the log changes: the application still sees ``REMOTE_ADDR`` (the
    rate limits need it).
    """

    def log(self, type: str, message: str, *args: Any) -> None:
        # werkzeug's own logging call, so that the line goes where werkzeug's
        # would (its logger, given a handler on first use), address aside.
        _log(type, f"{HIDDEN} - - [{self.log_date_time_string()}] {message}\n", *args)


def make_dev_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """The server `advocacy serve` runs (threaded, like run_simple's)."""
    handler = WSGIRequestHandler if logs_client_addresses(app.config) else AddressFreeRequestHandler
    return make_server(host, port, app, threaded=True, request_handler=handler)


class _HideLimitKey(logging.Filter):
    """Blanks the key in Flask-Limiter's "ratelimit ... exceeded" line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (str(record.msg).startswith("ratelimit ") and isinstance(record.args, tuple) and len(record.args) == 3
                and not (has_app_context() and logs_client_addresses(current_app.config))):
            limit, _key, scope = record.args
            record.args = (limit, HIDDEN, scope)
        return True


def init_app(_app: Flask) -> None:
    limiter_log = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(existing, _HideLimitKey) for existing in limiter_log.filters):
        limiter_log.addFilter(_HideLimitKey())
