"""Engine per app, one session per request (or job) kept on ``g``.

Views and jobs commit once at the end of their unit of work; services only
add and flush, except feed refresh (``services.ingest.refresh_feeds``), which
commits each feed on its own so that no transaction waits on the network.
The session is closed on teardown, which rolls back anything left
uncommitted (for instance after an error).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import Connection, CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "advocacy.db"
SQLITE_BUSY_TIMEOUT_MS = 30000
log = logging.getLogger(__name__)


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
    # secure_delete: deleted rows and freed pages are overwritten with zeros,
    # so an erased name or e-mail does not linger in the file's free space.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def truncate_sqlite_wal(engine: Engine, wait_seconds: float = 2.0) -> bool:
    """Copy SQLite's write-ahead log into the database file and empty it.

    Until then the WAL keeps the pages as they were before the last writes
    (an erased row included). A reader still inside a transaction on an
    older snapshot stops the log from being emptied: SQLite's busy handler
    retries for up to ``wait_seconds``. Returns True when the log is empty
    (or the database is not SQLite), False when a reader kept it from
    completing, which is logged; the log then keeps its old pages until the
    next complete checkpoint.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        # Outside any transaction (pysqlite opens none for a PRAGMA); the
        # connection goes back to the pool with its usual busy timeout.
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        try:
            busy, _log_frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if busy:
        log.warning("SQLite checkpoint incomplete: a reader is still open, the write-ahead log keeps old pages")
    return not busy


def init_app(app: Flask) -> None:
    bind(app)
    app.teardown_appcontext(_close_session)


def bind(app: Flask) -> None:
    """(Re)connect the app's sessions to ``DATABASE_URL``: at start, and when
    the test suite hands an app it reuses a fresh database."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)


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
