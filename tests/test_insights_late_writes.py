"""Writes that reach a day after the roll-up closed it still reach the insights.

The click writer flushes its buffer every second, so clicks counted at 23:59:59
UTC can be written after midnight, when the hourly job may already have rolled
their day up; a share can be undone for 24 hours, so yesterday's rolled-up
shares can lose one. The page must show the true figures either way.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from advocacy.blueprints import links, sharing
from advocacy.db import get_session
from advocacy.models import Role
from advocacy.services import clock, demo, insights, insights_rollup, tracked_links
from advocacy.services.ingest import FeedSettings
from insights_helpers import add_clicks, add_shares, monday
from test_insights import figures, roll_up, summary
from test_links import BROWSER, click, link_code, write_buffered_clicks
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
DAY = TODAY - timedelta(days=1)  # the day written late
PERIOD = insights.DateRange(DAY - timedelta(days=6), TODAY)
PREVIEW = "Twitterbot/1.0"


def at(monkeypatch, module, moment: datetime) -> None:
    monkeypatch.setattr(module, "utcnow", lambda: moment)


# Only the test writes the buffer: the writer thread waits an hour.
@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_WRITE_SECONDS": 3600}])
def test_clicks_flushed_and_a_share_undone_after_the_roll_up_reach_the_insights(
        app, client, auth, world, monkeypatch):
    content_id = publish(app, "Post", hours_ago=72)
    other_id = publish(app, "Other", hours_ago=72)
    add_shares(app, content_id, "x", DAY, 2)
    add_clicks(app, other_id, "linkedin", DAY, 4, 1)  # written in time, rolled up with the day
    code = link_code(app, content_id)
    auth.login_as(Role.AMBASSADOR)

    at(monkeypatch, sharing, datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=23, minutes=50))
    assert client.post(f"/content/{content_id}/shared", data={"network": "x"}).status_code == 302
    with client.session_transaction() as cookie:
        share_id = int(next(iter(cookie["undoable_shares"])))
    at(monkeypatch, links, datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=23, minutes=59))
    click(client, code)
    write_buffered_clicks(app)  # one click written in time
    for agent in (BROWSER, BROWSER, PREVIEW):  # three more, still in the worker's memory at midnight
        click(client, code, agent)

    assert roll_up(app, today=TODAY) == (DAY, DAY)  # the job closes the day
    assert write_buffered_clicks(app) == 3  # the buffer is written after it
    at(monkeypatch, sharing, datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(minutes=10))
    client.post(f"/shares/{share_id}/undo")

    result = summary(figures(app, PERIOD))
    assert result == summary(figures(app, PERIOD, use_rollups=False))  # the roll-ups agree with the raw rows
    assert result["totals"] == (2, 3 + 4, 1 + 1)
    assert result["networks"]["x"] == (2, 3, 1)
    assert dict(result["top"]) == {"Post": (2, 3, 1), "Other": (0, 4, 1)}
    assert dict(result["weeks"])[monday(DAY).isoformat()] == (2, 7, 2)  # nothing else in that week


@pytest.mark.parametrize("app_config", [{"TRACKED_LINK_WRITE_SECONDS": 3600}])
def test_clicks_written_while_the_roll_up_runs_are_counted_once(app, world):
    """The job has summed the day but not committed when the writer writes its clicks: the writer
    waits for the job, then follows its clicks into the roll-ups (else they would be in neither)."""
    content_id = publish(app, "Post", hours_ago=72)
    add_clicks(app, content_id, "x", DAY, 5)
    buffer = app.extensions[links.APP_KEY].extensions[links.BUFFER_KEY]
    with app.app_context():
        session = get_session()
        link_id = tracked_links.links_of(session, content_id)["x"].id
        assert insights_rollup.build(session, TODAY) == (DAY, DAY)  # summed, not yet committed
        for _ in range(2):
            buffer.add(link_id, DAY, preview=False)
        writer = threading.Thread(target=buffer.flush)
        writer.start()
        wait_until_blocked(session, writer)
        session.commit()
    writer.join(timeout=60)
    assert not writer.is_alive() and buffer.pending() == 0
    result = summary(figures(app, PERIOD))
    assert result == summary(figures(app, PERIOD, use_rollups=False))
    assert result["totals"] == (0, 7, 0)


def wait_until_blocked(session, writer: threading.Thread) -> None:
    """Until the writer waits for the job's lock (PostgreSQL shows it; SQLite's busy wait does not)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and writer.is_alive():
        if session.get_bind().dialect.name != "postgresql":
            time.sleep(1)
            break
        with session.get_bind().connect() as connection:
            if connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                break
        time.sleep(0.05)
    assert writer.is_alive(), "the writer did not wait for the roll-up"


def test_demo_data_loaded_after_a_roll_up_reaches_the_insights(app):
    """A database without users may have roll-ups already (the scheduler ran first): the demo's
    past days are followed into them."""
    assert roll_up(app) is not None  # nothing to sum, but the days up to yesterday are closed
    with app.app_context():
        session = get_session()
        assert demo.load_if_empty(session, FeedSettings(), clock.now(), clock.program_today("Europe/Paris"))
        session.commit()
    period = insights.default_range(TODAY)
    result = summary(figures(app, period))
    assert result == summary(figures(app, period, use_rollups=False))
    today_only = summary(figures(app, insights.DateRange(TODAY, TODAY)))["totals"]
    assert result["totals"][0] > today_only[0] and result["totals"][1] > today_only[1]  # closed days have some
