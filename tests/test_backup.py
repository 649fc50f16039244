"""`advocacy backup PATH`: a consistent SQLite copy taken while rows are being written."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from advocacy import migrate


@pytest.fixture
def sqlite_app(build_app, tmp_path):
    """An app on its own SQLite file (whichever database the rest of the suite runs on)."""
    app = build_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate.upgrade(app)
    return app


def live_file(app) -> Path:
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


class Writer(threading.Thread):
    """Another process's writes, as a worker makes them: one committed row at a time."""

    def __init__(self, database: Path) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.committed: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=30)
        try:
            number = 0
            while not self.stop.is_set():
                number += 1
                name = f"row-{number:06d}"
                connection.execute("INSERT INTO scheduler_leases (name, holder, expires_at) VALUES (?, ?, ?)",
                                   (name, "writer", "2026-12-05 10:00:00.000000"))
                connection.commit()
                self.committed.append(name)
        finally:
            connection.close()


def test_a_backup_taken_under_writes_restores_every_row_committed_before_it(sqlite_app, build_app, tmp_path):
    database = live_file(sqlite_app)
    with sqlite3.connect(database) as bulk:  # enough pages that the copy is not instant
        bulk.executemany("INSERT INTO scheduler_leases (name, holder, expires_at) VALUES (?, ?, ?)",
                         [(f"bulk-{n:06d}", "x" * 100, "2026-12-05 10:00:00.000000") for n in range(20000)])
    writer = Writer(database)
    writer.start()
    for _attempt in range(3000):  # until the writer is well under way (bounded)
        if len(writer.committed) >= 50:
            break
        time.sleep(0.01)
    committed_before = list(writer.committed)
    target = tmp_path / "backups" / "relais.sqlite3"
    target.parent.mkdir()
    try:
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        writer.stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity checked" in result.output

    restored_file = tmp_path / "restored" / "relais.sqlite3"  # "restore": the copy put in place
    restored_file.parent.mkdir()
    restored_file.write_bytes(target.read_bytes())
    with sqlite3.connect(restored_file) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = {row[0] for row in restored.execute("SELECT name FROM scheduler_leases WHERE holder = 'writer'")}
        bulk_rows = restored.execute("SELECT count(*) FROM scheduler_leases WHERE name LIKE 'bulk-%'").fetchone()
    assert set(committed_before) <= names
    # One snapshot: the rows of the first N commits, none missing in between.
    assert names == set(writer.committed[:len(names)])
    assert bulk_rows == (20000,)
    # The restored file is a database Relais starts on, at the migrations' head.
    assert build_app(f"sqlite:///{restored_file}").test_client().get("/readyz").json == {"status": "ready"}


def test_a_backup_never_overwrites_a_file(sqlite_app, tmp_path):
    target = tmp_path / "kept.sqlite3"
    target.write_bytes(b"an older backup")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert target.read_bytes() == b"an older backup"


def test_postgresql_is_pointed_to_pg_dump(build_app, tmp_path):
    app = build_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy")])
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert not (tmp_path / "copy").exists()
