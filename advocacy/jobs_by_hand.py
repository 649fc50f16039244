"""Scheduled jobs run by hand (``advocacy jobs run``), and what ``advocacy jobs list`` shows.

The rule that never runs a job twice at once: a run by hand takes the
scheduler lease itself, under its own holder name, for as long as it runs.
While a scheduler process holds a fresh lease the run is refused (the
scheduler renews it every third of SCHEDULER_LEASE_SECONDS, so that means "while a scheduler is
running"); while the run holds it, the scheduler's jobs are skipped
(``run_job`` finds the lease taken) and a second run by hand is refused.

There is no ``--force``: forcing past the lease would run a job beside the
scheduler's own run of it (two refreshes fetching the same feeds, two
roll-ups deleting and summing the same days), which is what the lease is for.

``advocacy serve`` runs the jobs in its own process without the lease (one
process, for development): a run by hand beside it is not detected there;
every job is safe to run twice, so at worst it does its work twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from . import jobs
from .db import get_session
from .models import SchedulerLease, utcnow

HOLDER = f"by-hand:{jobs.HOLDER}"

JobTable = list[tuple[str, Callable[[], str], dict]]


@dataclass(frozen=True)
class JobInfo:
    name: str
    schedule: str
    description: str


@dataclass(frozen=True)
class Lease:
    holder: str
    expires_at: datetime


class LeaseTaken(Exception):
    """Another process (a scheduler, or another run by hand) holds a fresh lease."""

    def __init__(self, lease: Lease | None) -> None:
        super().__init__("lease taken")
        self.lease = lease


def _schedule(trigger: dict) -> str:
    for unit in ("seconds", "minutes", "hours"):
        if unit in trigger:
            every = int(trigger[unit])
            return f"every {unit[:-1]}" if every == 1 else f"every {every} {unit}"
    return str(trigger)


def _description(function: Callable) -> str:
    """The first paragraph of the job's docstring, the one place that says what it does."""
    first = (function.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(first.split()).removeprefix("Scheduled: ")


def catalogue(table: JobTable | None = None) -> list[JobInfo]:
    return [JobInfo(name, _schedule(trigger), _description(function))
            for name, function, trigger in (table or jobs.JOBS)]


def names(table: JobTable | None = None) -> list[str]:
    return [name for name, _function, _trigger in (table or jobs.JOBS)]


def current_lease() -> Lease | None:
    """Who holds a fresh lease, if anyone (a stale one is free to take)."""
    row = get_session().get(SchedulerLease, jobs.LEASE_NAME)
    if row is None or row.expires_at < utcnow():
        return None
    return Lease(row.holder, row.expires_at)


class _KeepLease:
    """Renews the lease in the background while the job runs, as the scheduler's own renewal does."""

    def __init__(self, app: Flask, holder: str) -> None:
        self._app, self._holder = app, holder
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True)

    def _renew(self) -> None:
        # As often as the scheduler renews its own: a run longer than the lease keeps it.
        with self._app.app_context():
            every = jobs.lease_seconds() / 3
        while not self._stop.wait(every):
            with self._app.app_context():
                jobs.acquire_lease(self._holder)

    def __enter__(self) -> _KeepLease:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def run(app: Flask, name: str, table: JobTable | None = None, holder: str = HOLDER) -> str:
    """Run the job ``name`` once now, through the function the scheduler calls; what it did.

    Raises LeaseTaken when someone else holds a fresh lease, KeyError for an unknown name.
    """
    function = {job_name: job for job_name, job, _trigger in (table or jobs.JOBS)}[name]
    with app.app_context():
        if not jobs.acquire_lease(holder):
            raise LeaseTaken(current_lease())
    try:
        with _KeepLease(app, holder):
            outcome = jobs.run_job(app, function, need_lease=False)  # the lease is ours already
    finally:
        with app.app_context():
            jobs.release_lease(holder)
    return outcome or "done"
