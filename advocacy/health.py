"""``/healthz`` and ``/readyz``: what a load balancer and a monitor ask, answered cheaply.

Both are answered in front of the Flask app (``mount``), like the tracked
links: no session is read or written, no login, no rate limit, no cookie,
and neither answer names a person, a host or an address.

- ``/healthz``: the process answers. Nothing else is looked at, so a
  database outage does not make every worker look dead and get restarted.
- ``/readyz``: this worker can serve: the database answers, its schema is
  at the migrations' head, and, when ``SCHEDULER_EXPECTED`` is on, a
  scheduler holds a lease that has not expired. 503 with the first reason
  otherwise. A schema newer than the code (an upgrade under way) is no
  reason: see ``schema_behind``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from . import db, migrate, security
from .jobs import LEASE_NAME
from .logs import ROUTE_KEY
from .models import SchedulerLease, utcnow

log = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"

# The fixed security headers of every page, and no cache may keep a status.
HEADERS = [*[(name, value) for name, value in security.add_security_headers(Response()).headers
             if name not in ("Content-Type", "Content-Length")],
           ("Cache-Control", "no-store"), ("Content-Type", "application/json")]

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]


@cache
def migration_scripts() -> ScriptDirectory:
    """The migrations this code carries (read once per process)."""
    return ScriptDirectory(str(migrate.MIGRATIONS_DIR))


def schema_behind(current: str | None) -> bool:
    """Whether the database lacks migrations this code needs.

    A revision this code does not know was written by a newer release
    (``advocacy db upgrade`` run before the workers were reloaded): this
    worker stays ready, so that an upgrade does not take every old worker
    out of the load balancer at once; docs/deploy.md says so.
    """
    scripts = migration_scripts()
    if current == scripts.get_current_head():
        return False
    if current is None:
        return True
    try:
        scripts.get_revision(current)
    except CommandError:
        return False
    return True


def readiness_problem(app: Flask, now: datetime | None = None) -> str | None:
    """Why this worker is not ready, in a few words, or None when it is."""
    engine = app.extensions[db.EXTENSION_KEY].kw["bind"]
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if schema_behind(current):
                head = migration_scripts().get_current_head()
                return f"database schema at {current or 'no revision'}, code expects {head}"
            if app.config.get("SCHEDULER_EXPECTED"):
                expires = connection.execute(
                    select(SchedulerLease.expires_at).where(SchedulerLease.name == LEASE_NAME)).scalar()
                if expires is None or expires < (now or utcnow()):
                    return "no scheduler holds a fresh lease"
    except SQLAlchemyError as error:
        # The operator's own log gets the driver's words; the answer stays short.
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return "database unreachable"
    return None


def mount(app: Flask) -> None:
    """Answer the two paths before the app's own request handling."""
    inner: WsgiApp = app.wsgi_app

    def health_app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in (LIVENESS_PATH, READINESS_PATH):
            return inner(environ, start_response)
        environ[ROUTE_KEY] = path
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 METHOD NOT ALLOWED", {"status": "method not allowed"},
                           [("Allow", "GET, HEAD")])
        if path == LIVENESS_PATH:
            return _answer(start_response, "200 OK", {"status": "alive"})
        problem = readiness_problem(app)
        if problem:
            return _answer(start_response, "503 SERVICE UNAVAILABLE", {"status": "unready", "reason": problem})
        return _answer(start_response, "200 OK", {"status": "ready"})

    app.wsgi_app = health_app  # type: ignore[method-assign]


def _answer(start_response: StartResponse, status: str, body: dict,
            extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [*HEADERS, *(extra or []), ("Content-Length", str(len(payload)))])
    return [payload]
