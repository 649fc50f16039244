"""Clicks counted in memory for a moment, then written together.

A click used to be one upsert of its own, so every visitor waited for a
round trip to the database, and on PostgreSQL that wait was most of the cost
of a tracked link. Here a click only adds one to a counter in the worker's
memory; a thread of the worker writes what has built up every ``interval``
seconds, as one upsert per (link, day) that adds the counts at once
(``clicks = clicks + n``), in one transaction.

This is the one way clicks reach ``click_counts``: with
``TRACKED_LINK_WRITE_SECONDS`` at 0 (``WriteThroughBuffer``) each click is
written before its redirect, by the same upsert.

What this costs: a worker killed outright (SIGKILL, out of memory) loses at
most its last ``interval`` seconds of clicks. A worker that stops normally
(gunicorn's graceful stop, the end of ``advocacy serve``) writes them on its
way out. A failed write (the database restarting) loses nothing either: the
counts go back into the buffer and are written at the next turn. Nothing is
kept but the counts: no address, no agent, no time finer than the day.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import date

from sqlalchemy import Engine

from ..db import insert_for
from ..models import ClickCount
from . import insights_rollup

log = logging.getLogger(__name__)

# (link_id, day) → [clicks, previews]
Pending = dict[tuple[int, date], list[int]]


def add_counts(engine: Engine, pending: Pending) -> None:
    """Add the counts to their rows, inserting the rows a day's first click needs.

    Counts of a day the insights roll-up has already closed (written after
    midnight) are added to the roll-up as well, in the same transaction.
    """
    table = ClickCount.__table__
    statement = insert_for(engine)(table).values([
        {"link_id": link_id, "day": day, "clicks": clicks, "previews": previews}
        for (link_id, day), (clicks, previews) in sorted(pending.items())  # one lock order for every writer
    ])
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.link_id, table.c.day],
        set_={"clicks": table.c.clicks + statement.excluded.clicks,
              "previews": table.c.previews + statement.excluded.previews})
    with engine.begin() as connection:
        connection.execute(statement)
        insights_rollup.add_late_clicks(connection, pending)  # after the upsert: see insights_rollup


class ClickBuffer:
    """One per app: counts since the last write, and the thread that writes them."""

    # A single statement carries at most this many rows (SQLite's limit on
    # bound parameters is 32,766; four per row).
    MAX_ROWS = 5_000

    def __init__(self, engine: Engine, interval: float):
        self.engine = engine
        self.interval = interval
        self._lock = threading.Lock()
        # Held for a whole write: a stop (close) waits for the writer thread's
        # write in progress, which the interpreter's exit would otherwise cut
        # short, losing the counts it had taken out of the buffer.
        self._writing = threading.Lock()
        self._pending: Pending = {}
        self._wake = threading.Event()
        self._closed = False
        self._writer_pid: int | None = None  # the process whose thread writes (gunicorn forks workers)

    def add(self, link_id: int, day: date, preview: bool) -> None:
        with self._lock:
            counts = self._pending.setdefault((link_id, day), [0, 0])
            counts[1 if preview else 0] += 1
            if self._writer_pid != os.getpid() and not self._closed:
                self._start_writer()
            if len(self._pending) >= self.MAX_ROWS:
                self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return sum(clicks + previews for clicks, previews in self._pending.values())

    def flush(self) -> int:
        """Write what has built up; returns how many visits were written."""
        with self._writing:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        items = list(pending.items())
        for start in range(0, len(items), self.MAX_ROWS):
            try:
                add_counts(self.engine, dict(items[start:start + self.MAX_ROWS]))
            except Exception:
                # That chunk's transaction rolled back (the earlier ones are
                # written): what is left goes back for the next turn.
                self._put_back(dict(items[start:]))
                raise
        return sum(clicks + previews for clicks, previews in pending.values())

    def _put_back(self, pending: Pending) -> None:
        with self._lock:
            for key, (clicks, previews) in pending.items():
                counts = self._pending.setdefault(key, [0, 0])
                counts[0] += clicks
                counts[1] += previews

    def _start_writer(self) -> None:
        """Started by the first click of each process, never by create_app."""
        self._writer_pid = os.getpid()
        threading.Thread(target=self._write_every_interval, name="click-writer", daemon=True).start()
        atexit.register(self.close)  # a normal stop writes the last counts

    def close(self) -> None:
        """Write what is left and stop the writer (the app is going away)."""
        self._closed = True
        self._wake.set()
        self._flush_logged()

    def _write_every_interval(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            self._flush_logged()

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("could not write click counts; kept for the next try")


class WriteThroughBuffer(ClickBuffer):
    """No interval: each click is written at once, by the same upsert, and no thread waits.

    A write that fails is logged and its count kept for the next click's write
    (or the exit's), as the buffered writer does.
    """

    def add(self, link_id: int, day: date, preview: bool) -> None:
        super().add(link_id, day, preview)
        self._flush_logged()

    def _start_writer(self) -> None:
        self._writer_pid = os.getpid()
        atexit.register(self.close)


def click_buffer(engine: Engine, interval: float) -> ClickBuffer:
    """The app's click writer: every ``interval`` seconds, or at once when it is 0."""
    return ClickBuffer(engine, interval) if interval > 0 else WriteThroughBuffer(engine, interval)
