"""``advocacy backup PATH``: a consistent copy of the SQLite database while the app runs.

SQLite's online backup API copies the database page by page from a read
transaction: with the database in WAL mode, writers go on meanwhile, and the
copy is the database as it was when the backup began (every transaction
committed before, none after). Done in one step, so that a write in the
middle never makes it start over. The copy is written beside the target,
checked (``PRAGMA integrity_check``) and only then renamed into place, so a
failed backup never leaves a half-written file under the name asked for.

PostgreSQL has its own tools (``pg_dump``/``pg_restore``, docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Why no backup was written (shown to the operator as is)."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"the database is {url.get_backend_name()}, not SQLite: use pg_dump "
                          "(docs/deploy.md, Backups)")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database to ``target`` (which must not exist yet); the copy's size in bytes."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new name (a backup never overwrites)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one snapshot
            # A copy that is one file: no -wal beside it to forget.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        finally:
            copy.close()
    finally:
        source.close()
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:5])}")
    os.replace(partial, target)
    return target.stat().st_size
