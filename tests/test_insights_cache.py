"""Insights figures shared for a short time per process: what a reader sees, and when it changes.

The cache is on here (INSIGHTS_CACHE_SECONDS 60, as in production); the rest
of the suite runs with it off. What matters: a second view reads no figures
(statements constant whatever the data), a new roll-up shows at once, the k
rule still holds on cached figures, another k or range is another entry, and
the cache stays bounded.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from advocacy.db import get_engine, get_session
from advocacy.models import Purpose, Role, User
from advocacy.services import insights, insights_cache, insights_rollup
from insights_helpers import add_shares
from program_helpers import people
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def app_config():
    return {"INSIGHTS_CACHE_SECONDS": 60}


@pytest.fixture
def post(app, world):
    # Apps are reused between tests of one configuration: start with an empty cache.
    app.extensions.pop("advocacy.insights", None)
    return publish(app, "A post")


def total_shares(client, path="/insights/") -> int:
    html = client.get(path).get_data(as_text=True)
    return int(re.search(r"<dt>Shares</dt><dd>(\d+)</dd>", html).group(1))


def roll_up(app, today=TODAY) -> None:
    with app.app_context():
        session = get_session()
        insights_rollup.build(session, today)
        session.commit()


def statements_of(app, client, path: str) -> int:
    with app.app_context():
        engine = get_engine()
    seen: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_second_view_reads_no_figures_whatever_the_data(app, client, auth, post):
    auth.login_as(Role.CURATOR, language="en")
    assert client.get("/insights/").status_code == 200
    few = statements_of(app, client, "/insights/")
    for day in range(30):
        add_shares(app, post, "x", TODAY - timedelta(days=day), 5)
    client.get("/insights/?start=" + (TODAY - timedelta(days=40)).isoformat())  # another range: computed
    assert statements_of(app, client, "/insights/?start=" + (TODAY - timedelta(days=40)).isoformat()) == few
    # The session's user and the roll-up watermark: nothing summed.
    assert few <= 3


def test_the_page_says_how_old_its_figures_may_be(app, client, auth, post):
    auth.login_as(Role.CURATOR, language="en")
    html = client.get("/insights/").get_data(as_text=True)
    assert "computed at most once every 60 seconds" in html
    app.config["INSIGHTS_CACHE_SECONDS"] = 0
    try:
        app.extensions.pop("advocacy.insights", None)
        assert "computed at most once" not in client.get("/insights/").get_data(as_text=True)
    finally:
        app.config["INSIGHTS_CACHE_SECONDS"] = 60
        app.extensions.pop("advocacy.insights", None)


def test_a_new_roll_up_shows_at_once_and_live_shares_after_the_time(app, client, auth, post):
    auth.login_as(Role.CURATOR, language="en")
    add_shares(app, post, "x", YESTERDAY - timedelta(days=1), 2)
    roll_up(app, YESTERDAY)  # the day before yesterday is closed
    assert total_shares(client) == 2
    add_shares(app, post, "x", YESTERDAY, 3)  # read live until the next roll-up
    assert total_shares(client) == 2  # the same figures for 60 seconds
    roll_up(app)  # the watermark moves: a new entry, computed now
    assert total_shares(client) == 5
    # And the CSV export reads the same figures as the page.
    rows = client.get("/insights/export.csv").get_data(as_text=True).splitlines()
    assert next(row for row in rows if row.startswith("totals")).split(",")[3] == "5"


def test_cached_figures_keep_the_k_rule_and_another_k_is_another_entry(app, client, auth, post):
    for user in people(auth, Role.AMBASSADOR, 4, "sharer"):
        grant(app, user, Purpose.SHARE_ATTRIBUTION)
        add_shares(app, post, "x", TODAY, 1, user.id)
    people(auth, Role.AMBASSADOR, 6, "quiet")
    auth.login_as(Role.CURATOR, language="en")
    for _ in range(2):  # computed, then from the cache: hidden both times
        html = client.get("/insights/").get_data(as_text=True)
        assert "Fewer than 5 ambassadors shared under their name" in html
        assert "of active ambassadors shared" not in html
    app.config["MIN_GROUP_SIZE"] = 4
    try:
        html = client.get("/insights/").get_data(as_text=True)
        assert "(4–7 of 8–11)" in html
    finally:
        app.config["MIN_GROUP_SIZE"] = 5
    # Back to k = 5: the figures cached under k = 5, still hidden.
    assert "Fewer than 5 ambassadors shared under their name" in client.get("/insights/").get_data(as_text=True)


def test_figures_expire_after_the_time_and_the_cache_stays_bounded(app, post):
    cache = insights_cache.SharedInsights(60)
    now = datetime.now(UTC)
    period = insights.default_range(TODAY)
    labels = {"other_label": "Other", "no_department_label": "None"}
    with app.app_context():
        session = get_session()
        first = cache.insights(session, period, 5, "en", now=now, today=TODAY, **labels)
        add_shares(app, post, "x", TODAY, 4)
        same = cache.insights(session, period, 5, "en", now=now + timedelta(seconds=59), today=TODAY, **labels)
        assert same is first and same.totals.shares == 0
        later = cache.insights(session, period, 5, "en", now=now + timedelta(seconds=60), today=TODAY, **labels)
        assert later.totals.shares == 4
        for days in range(insights_cache.MAX_KEPT + 10):
            cache.insights(session, insights.DateRange(TODAY - timedelta(days=days), TODAY), 5, "en", now=now,
                           today=TODAY, **labels)
        assert len(cache) == insights_cache.MAX_KEPT


def test_each_language_gets_its_own_figures_and_charts(app, client, auth, post):
    user = auth.login_as(Role.CURATOR, language="en")
    assert "Shares per week" in client.get("/insights/").get_data(as_text=True)
    with app.app_context():
        session = get_session()
        session.get(User, user.id).language = "fr"
        session.commit()
    html = client.get("/insights/").get_data(as_text=True)
    assert "Partages par semaine" in html and "Shares per week" not in html


def test_old_figures_are_served_while_new_ones_are_computed_once_beside(app, post):
    jobs: list = []
    cache = insights_cache.SharedInsights(60, elsewhere=jobs.append)
    now = datetime.now(UTC)
    period = insights.default_range(TODAY)
    labels = {"other_label": "Other", "no_department_label": "None"}
    with app.app_context():
        session = get_session()
        first = cache.insights(session, period, 5, "en", now=now, today=TODAY, **labels)  # nothing kept: computed
        assert jobs == []
        add_shares(app, post, "x", TODAY, 4)
        for seconds in (61, 62):  # old: served as they are, computed again once, beside
            assert cache.insights(session, period, 5, "en", now=now + timedelta(seconds=seconds), today=TODAY,
                                  **labels) is first
        assert len(jobs) == 1
        jobs[0](session)
        new = cache.insights(session, period, 5, "en", now=now + timedelta(seconds=63), today=TODAY, **labels)
        assert new.totals.shares == 4 and new.participation == first.participation


def test_over_http_the_old_figures_are_computed_again_in_a_thread(app, client, auth, post):
    auth.login_as(Role.CURATOR, language="en")
    assert total_shares(client) == 0
    add_shares(app, post, "x", TODAY, 2)
    cache = app.extensions["advocacy.insights"]
    for key, (at, figures) in list(cache._kept.items()):  # as if a minute had passed
        cache._kept[key] = (at - timedelta(seconds=61), figures)
    assert total_shares(client) == 0  # the old figures, at once
    for thread in threading.enumerate():
        if thread.name == "insights-refresh":
            thread.join(timeout=30)
    assert total_shares(client) == 2
