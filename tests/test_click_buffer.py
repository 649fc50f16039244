"""Clicks wait in the worker's memory for a moment, then are written together:
none lost when the writer runs, when a write fails, or when the process stops."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from advocacy.blueprints import links
from advocacy.db import get_engine
from advocacy.models import utcnow
from test_links import BROWSER, click, counts, link_code
from test_personal_feed import publish, world  # noqa: F401

PREVIEW = "Twitterbot/1.0"


def buffer_of(app):
    return app.extensions[links.APP_KEY].extensions[links.BUFFER_KEY]


def stored(app):
    """The counter rows as they are in the database, without writing the buffer first."""
    with app.app_context(), get_engine().connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT link_id, clicks, previews FROM click_counts ORDER BY link_id"))]


def test_clicks_of_several_links_are_added_up_into_one_row_each(app, client, world):
    first, second = publish(app, "First"), publish(app, "Second")
    for _ in range(3):
        click(client, link_code(app, first))
    click(client, link_code(app, first), PREVIEW)
    click(client, link_code(app, second, "linkedin"))
    assert buffer_of(app).pending() == 5
    assert buffer_of(app).flush() == 5
    assert buffer_of(app).flush() == 0  # nothing is written twice
    today = utcnow().date()
    assert counts(app) == [("linkedin", today, 1, 0), ("x", today, 3, 1)]
    click(client, link_code(app, first))
    assert counts(app) == [("linkedin", today, 1, 0), ("x", today, 4, 1)]  # added to the day's row


def test_the_writer_thread_writes_within_its_interval(app, client, world):
    code = link_code(app, publish(app, "Post"))
    for _ in range(4):
        click(client, code)
    deadline = time.monotonic() + 15  # the interval is 1 s; a busy machine may take longer
    while not stored(app) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(c, p) for _, c, p in stored(app)] == [(4, 0)]
    assert buffer_of(app).pending() == 0


def test_a_failed_write_keeps_the_clicks_for_the_next_one(app, client, world):
    code = link_code(app, publish(app, "Post"))
    for agent in (BROWSER, BROWSER, PREVIEW):
        click(client, code, agent)
    buffer = buffer_of(app)
    with app.app_context(), get_engine().begin() as connection:  # the database refuses the write
        connection.execute(text("ALTER TABLE click_counts RENAME TO click_counts_away"))
    try:
        with pytest.raises(DBAPIError):  # no such table
            buffer.flush()
        click(client, code)  # and clicks go on meanwhile
        assert buffer.pending() == 4
    finally:
        with app.app_context(), get_engine().begin() as connection:
            connection.execute(text("ALTER TABLE click_counts_away RENAME TO click_counts"))
    assert counts(app) == [("x", utcnow().date(), 3, 1)]


@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_WRITE_SECONDS": 0}])
def test_with_no_interval_each_click_is_written_at_once_by_the_same_path(app, client, world):
    code = link_code(app, publish(app, "Post"))
    click(client, code)
    assert [(c, p) for _, c, p in stored(app)] == [(1, 0)]  # before any flush of ours
    click(client, code, PREVIEW)
    assert [(c, p) for _, c, p in stored(app)] == [(1, 1)]
    assert buffer_of(app).pending() == 0


def test_a_process_that_stops_normally_writes_its_last_clicks(app, world, database_url, tmp_path):
    """The writer's interval is an hour: only the exit can have written them."""
    code = link_code(app, publish(app, "Post"))
    script = textwrap.dedent(f"""
        from advocacy import create_app
        app = create_app({{"DATABASE_URL": {database_url!r}, "SECRET_KEY": "x", "TESTING": True,
                          "TRACKED_LINK_WRITE_SECONDS": 3600}}, instance_path={str(tmp_path / "i")!r})
        client = app.test_client()
        for agent in ["{BROWSER}"] * 6 + ["{PREVIEW}"]:
            assert client.get("/s/{code}", headers={{"User-Agent": agent}}).status_code == 302
    """)
    tests = Path(__file__).resolve().parent
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tests.parent, timeout=120)
    assert [(c, p) for _, c, p in stored(app)] == [(6, 1)]
