"""Engine per app, one session per request (or job) kept on ``g``.

Views and jobs commit once at the end of their unit of work; services only
add and flush, except feed refresh (``services.ingest.refresh_feeds``), which
commits each feed on its own so that no transaction waits on the network.
The session is closed on teardown, which rolls back anything left
uncommitted (for instance after an error).
"""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import Connection, CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "advocacy.db"


def make_engine(url: str, **options) -> Engine:
    """``options`` go to create_engine (tracked links use their own, see services.clicks)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, **{"pool_pre_ping": True, **options})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers and one
    # writer work at once, which the dev server and scheduler need.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions[EXTENSION_KEY].kw["bind"]


def get_session() -> Session:
    """The current unit of work's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION_KEY]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it changed. (Session.execute is
    typed as returning a plain Result, which has no rowcount.)"""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def insert_for(bind: Session | Engine | Connection):
    """The dialect's own ``insert``, which has ON CONFLICT (SQLite and PostgreSQL
    spell it alike; SQLAlchemy's generic insert has no upsert)."""
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return postgresql.insert if dialect.name == "postgresql" else sqlite.insert
