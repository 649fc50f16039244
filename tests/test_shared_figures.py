"""The home page's milestones: counted by the scheduler's job into one row, never summed in a request.

The figures themselves (the network's month, shown from k attributed
sharers) are checked over HTTP in test_insights_people.py; here, who
computes them and what the page shows before and between the job's runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from advocacy import jobs
from advocacy.db import get_engine, get_session
from advocacy.models import Purpose, Role, SharedFigure
from advocacy.services import milestones
from insights_helpers import add_clicks, add_shares
from program_helpers import people, switch_to
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
SHOWN = "The network shared"


@pytest.fixture
def network(app, auth, world):
    """Five people with attributed shares this month (k = 5), clicks today, shares last month; a reader."""
    post = publish(app, "A post")
    for user in people(auth, Role.AMBASSADOR, 5, "mate"):
        grant(app, user, Purpose.SHARE_ATTRIBUTION)
        add_shares(app, post, "x", TODAY, 2, user.id)
    add_clicks(app, post, "x", TODAY, 17)
    add_shares(app, post, "x", TODAY.replace(day=1) - timedelta(days=1), 50)  # last month: not counted
    reader = auth.create_user(Role.AMBASSADOR, email="reader@example.org", name="Reader", language="en")
    switch_to(auth, reader)
    return post


def run_the_job(app) -> str | None:
    return jobs.run_job(app, jobs.compute_shared_figures, need_lease=True)


def stored_row(app) -> tuple | None:
    with app.app_context():
        row = get_session().execute(select(SharedFigure.month, SharedFigure.sharers, SharedFigure.shares,
                                           SharedFigure.clicks)).first()
        return tuple(row) if row else None


def home_and_statements(app, client) -> tuple[str, list[str]]:
    seen: list[str] = []
    with app.app_context():
        engine = get_engine()

    def record(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return response.get_data(as_text=True), seen


def test_the_job_counts_the_month_into_one_row_that_the_home_page_shows(app, client, network):
    assert "10 shares, 17 clicks, 5 sharers" in run_the_job(app)
    assert stored_row(app) == (TODAY.replace(day=1), 5, 10, 17)
    html, _statements = home_and_statements(app, client)
    assert "The network shared 10 posts this month." in html
    assert "People clicked 17 times on the links the network shared." in html


def test_before_the_jobs_first_run_the_page_shows_no_milestones_and_sums_nothing(app, client, network):
    html, statements = home_and_statements(app, client)
    assert SHOWN not in html
    # The request neither counted the month (click counts, day sums) nor stored a row.
    assert not [s for s in statements if "click_counts" in s or "insight_network_days" in s]
    assert stored_row(app) is None
    run_the_job(app)
    assert "The network shared 10 posts this month." in home_and_statements(app, client)[0]


def test_the_page_shows_the_jobs_count_until_its_next_run(app, client, network, auth):
    run_the_job(app)
    extra = people(auth, Role.AMBASSADOR, 1, "late")[0]
    add_shares(app, network, "x", TODAY, 3, extra.id)
    assert "The network shared 10 posts this month." in home_and_statements(app, client)[0]
    run_the_job(app)
    assert "The network shared 13 posts this month." in home_and_statements(app, client)[0]


def test_a_count_of_last_month_is_never_shown_as_this_months(app, client, network):
    with app.app_context():
        session = get_session()
        milestones.store(session, datetime.now(UTC).replace(day=1) - timedelta(days=1))
        session.commit()
    assert stored_row(app)[0] != TODAY.replace(day=1)
    assert SHOWN not in home_and_statements(app, client)[0]
    run_the_job(app)  # the job's next run counts the new month
    assert SHOWN in home_and_statements(app, client)[0]


def test_the_threshold_in_force_when_shown_applies_not_the_one_at_the_count(app, client, network):
    run_the_job(app)
    app.config["MIN_GROUP_SIZE"] = 6  # five sharers are now too few to show a figure drawn from them
    assert SHOWN not in home_and_statements(app, client)[0]


def test_the_job_runs_only_under_the_lease_and_first_at_the_schedulers_start(app, network):
    from apscheduler.schedulers.background import BackgroundScheduler

    with app.app_context():
        assert jobs.acquire_lease("another-scheduler")
    assert run_the_job(app) is None
    assert stored_row(app) is None  # the standby counted nothing
    with app.app_context():
        jobs.release_lease("another-scheduler")
    assert run_the_job(app) is not None
    assert stored_row(app) is not None

    scheduler = BackgroundScheduler(timezone="UTC")
    before = datetime.now(UTC)
    jobs.add_jobs(scheduler, app, need_lease=True)
    first_runs = {job.id: getattr(job, "next_run_time", None) for job in scheduler.get_jobs()}
    # Pending jobs keep the time asked for: the figures at start, the others one interval later.
    assert before <= first_runs["shared-figures"] <= datetime.now(UTC)
    assert first_runs["refresh-feeds"] is None


def test_each_process_rereads_the_row_only_after_its_seconds(app, network):
    run_the_job(app)
    figures = milestones.SharedFigures(seconds=60)
    now = datetime.now(UTC)

    def shares_seen(at) -> int | None:
        with app.app_context():
            seen = figures.this_month(get_session(), at, app.config["MIN_GROUP_SIZE"])
            return seen.shares if seen else None

    assert shares_seen(now) == 10
    add_shares(app, network, "x", TODAY, 5, None)
    run_the_job(app)
    assert shares_seen(now + timedelta(seconds=30)) == 10  # the row read 30 s ago
    assert shares_seen(now + timedelta(seconds=61)) == 15
