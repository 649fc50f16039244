"""Scale-out, shown: two app instances on one PostgreSQL and one Redis, and two schedulers.

Each instance is a real gunicorn (deploy/gunicorn.conf.py) with two workers,
on its own port, both on the test's database and the test's own
redis-server; the schedulers are real ``advocacy scheduler`` processes.
PostgreSQL only (SQLite is one machine's file): CI runs the suite on both.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import ClickCount, SchedulerLease
from redis_server import redis_url  # noqa: F401  (a fixture)
from test_deploy import DEPLOY, ROOT
from test_links import link_code
from test_personal_feed import publish
from test_serve_logs import free_port, get, wait_until_it_answers

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")

ALL_JOBS = {function.__name__ for _id, function, _trigger in jobs.JOBS}
ACCOUNT_LIMIT = 3
CLICKS = 300


def stop(process: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(how)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@contextmanager
def running(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A process, stopped (SIGTERM, then SIGKILL) however the test ends."""
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=env, cwd=log.parent, stdout=sink, stderr=sink)
    try:
        yield process
    finally:
        stop(process)


def settings(app, redis: str) -> dict[str, str]:
    """What both instances and both schedulers share: the database, Redis and a real key."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "ADVOCACY_DATABASE_URL": app.config["DATABASE_URL"],
            "ADVOCACY_SECRET_KEY": "scale-out-test-key-shared-by-every-instance",
            "ADVOCACY_RATELIMIT_STORAGE_URI": redis,
            "ADVOCACY_LOGIN_RATE_LIMIT": "1000 per minute",  # the per-address one: both come from 127.0.0.1
            "ADVOCACY_LOGIN_ACCOUNT_RATE_LIMIT": f"{ACCOUNT_LIMIT} per 15 minutes",
            "ADVOCACY_LOG_FORMAT": "text", "RELAIS_WORKERS": "2"}


@contextmanager
def two_instances(app, redis: str, tmp_path: Path) -> Iterator[list[tuple[int, subprocess.Popen]]]:
    with ExitStack() as stack:
        instances = []
        for name in ("one", "two"):
            port = free_port()
            folder = tmp_path / name
            folder.mkdir()
            process = stack.enter_context(running(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
                {**settings(app, redis), "RELAIS_BIND": f"127.0.0.1:{port}"}, folder / "log"))
            instances.append((port, process))
        for port, process in instances:
            wait_until_it_answers(port, process)
        yield instances


class Browser:
    """One visitor's cookies, sent to whichever instance it asks (cookies do not depend on the port)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def sign_in(self, port: int, email: str, password: str) -> int:
        page = self.opener.open(f"http://127.0.0.1:{port}/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, page
        form = urllib.parse.urlencode({"csrf_token": token[1], "email": email, "password": password}).encode()
        try:
            return self.opener.open(f"http://127.0.0.1:{port}/login", data=form, timeout=30).status
        except urllib.error.HTTPError as refusal:
            return refusal.code


def test_the_account_sign_in_limit_counts_attempts_made_on_both_instances(app, auth, redis_url, tmp_path):
    user = auth.create_user(email="target@example.org")
    with two_instances(app, redis_url, tmp_path) as instances:
        ports = [port for port, _process in instances]
        browser = Browser()
        allowed = [browser.sign_in(ports[attempt % 2], user.email, "wrong password")
                   for attempt in range(ACCOUNT_LIMIT)]
        assert 429 not in allowed, allowed
        # The limit is 3 in all, not 3 per instance: the next attempt is refused on either.
        assert browser.sign_in(ports[1], user.email, "wrong password") == 429
        assert browser.sign_in(ports[0], user.email, "wrong password") == 429
        # Even with the right password: the account is closed to guessing for the window.
        assert browser.sign_in(ports[1], user.email, "ambassador-password") == 429


def clicks_written(app) -> int | None:
    with app.app_context():
        return get_session().scalar(select(func.sum(ClickCount.clicks)))


# Every second (the default): four workers' upserts of the same row meet while
# the clicks come in. Every hour: nothing is written before the stop, which writes all.
@pytest.mark.parametrize("write_seconds", ["1", "3600"])
def test_clicks_spread_over_both_instances_are_all_counted_once_stopped(app, redis_url, tmp_path, write_seconds,
                                                                        monkeypatch):
    monkeypatch.setenv("ADVOCACY_TRACKED_LINK_WRITE_SECONDS", write_seconds)
    code = link_code(app, publish(app, "Post"))
    with two_instances(app, redis_url, tmp_path) as instances:
        ports = [port for port, _process in instances]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda click: get(ports[click % 2], f"/s/{code}"), range(CLICKS)))
        assert statuses == [302] * CLICKS
        if write_seconds == "3600":
            assert clicks_written(app) is None  # all still in the workers' memory
        for _port, process in instances:
            stop(process)  # a normal stop: each worker writes what it still holds
            assert process.returncode == 0
    logs = "".join((tmp_path / name / "log").read_text() for name in ("one", "two"))
    # A stop once found the buffer empty while the writer thread was writing
    # what it had taken out, and the exit cut that write short: clicks lost, now and then.
    assert clicks_written(app) == CLICKS, logs[-5000:]


def runs(log: Path) -> list[str]:
    """The jobs this scheduler ran, in order (jobs.run_job logs each run)."""
    return re.findall(r"(\w+) ran: ", log.read_text())


def wait_for(condition, what: str) -> None:
    for _attempt in range(300):  # bounded: about 30 seconds
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


def test_of_two_schedulers_one_runs_the_jobs_and_the_other_takes_over_when_it_dies(app, redis_url, tmp_path):
    env = {**settings(app, redis_url), "ADVOCACY_SCHEDULER_EVERY_SECONDS": "1",
           "ADVOCACY_SCHEDULER_LEASE_SECONDS": "3"}
    command = [sys.executable, "-c", "from advocacy.cli import main; main()", "scheduler"]
    logs = {name: tmp_path / name / "log" for name in ("first", "second")}
    for log in logs.values():
        log.parent.mkdir()
    with running(command, env, logs["first"]) as first:
        wait_for(lambda: runs(logs["first"]), "the first scheduler ran a job")
        with running(command, env, logs["second"]) as second:
            wait_for(lambda: "another scheduler holds the lease" in logs["second"].read_text(),
                     "the second scheduler found the lease taken")
            runs_before = len(runs(logs["first"]))
            wait_for(lambda: len(runs(logs["first"])) >= runs_before + 16, "two more rounds of the first")
            assert runs(logs["second"]) == []  # it tried every second, and ran nothing
            # Every job ran, each slot by the first alone.
            assert set(runs(logs["first"])) == ALL_JOBS
            with app.app_context():
                assert get_session().scalar(select(SchedulerLease.holder)).endswith(f":{first.pid}")

            stop(first, signal.SIGKILL)  # no goodbye: its lease stays until it expires
            wait_for(lambda: runs(logs["second"]), "the second scheduler took over")
            with app.app_context():
                assert get_session().scalar(select(SchedulerLease.holder)).endswith(f":{second.pid}")
            wait_for(lambda: set(runs(logs["second"])) == ALL_JOBS, "the second ran every job")
