"""Bulk writes for ``demo_data``: COPY on PostgreSQL, executemany on SQLite, and the sequences after.

Rows go in with explicit ids (the generator links tables by id without
reading them back). PostgreSQL's COPY with explicit ids does not move the
id sequences, so the next row the app creates would collide with a loaded
one: ``advance_sequences`` sets each sequence past the table's largest id.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import FromClause, Table, insert, text
from sqlalchemy.orm import Session

CHUNK = 20_000


def _copy_value(value: Any) -> Any:
    """What COPY expects: enums as their stored values, JSON as its text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def bulk(session: Session, table: FromClause, rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` (a model's __table__); returns how many."""
    written = 0
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        assert raw is not None  # a live psycopg connection inside the session's transaction
        copy_statement = f"COPY {table.description} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_statement) as copy:
            for row in rows:
                copy.write_row([_copy_value(value) for value in row])
                written += 1
        return written
    statement = insert(cast(Table, table))  # a model's __table__ is typed as any FromClause
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == CHUNK:
            session.execute(statement, batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(statement, batch)
        written += len(batch)
    return written


def advance_sequences(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL: each table's id sequence set so that the next id is past max(id).

    SQLite needs nothing: it takes the next rowid after the largest one.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table})
        if sequence is None:
            continue
        # Table names come from the models, never from input.
        session.execute(text(f"SELECT setval(:sequence, (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"),
                        {"sequence": sequence})


def gather_statistics(session: Session) -> None:
    """The planner's statistics for what was just loaded (ANALYZE, after the commit).

    Autovacuum would gather them in time on a live PostgreSQL, but not before
    the first queries, and not at all where it is off: a digest's recipients
    were then planned as nested loops, seconds per batch instead of
    milliseconds. SQLite's planner reads them too (sqlite_stat1).
    """
    session.execute(text("ANALYZE"))
