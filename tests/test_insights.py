"""Insights: aggregates on known data (raw and rolled up), the date range, roles, CSV = page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import Role, ShareEvent, User
from advocacy.services import insights, insights_rollup, sharing
from insights_helpers import add_clicks, add_shares, monday
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
# Three ISO weeks ending with the current one; all days before today, so they
# can be rolled up, except TODAY itself which is always read live.
W0 = monday(TODAY) - timedelta(weeks=2)


@pytest.fixture
def known(app, world):
    """Three contents, shares and clicks on known days; returns ids and the expected figures."""
    needs, topics = world
    energy = publish(app, "Energy post", topics=[topics["Energy"]], needs=[needs["career"]])
    both = publish(app, "Both topics", topics=[topics["Energy"], topics["Jobs"]])
    plain = publish(app, "Plain post")
    add_shares(app, energy, "x", W0, 3)
    add_shares(app, energy, "linkedin", W0 + timedelta(days=8), 2)
    add_shares(app, both, "x", W0 + timedelta(days=9), 4)
    add_shares(app, plain, "bluesky", TODAY, 1)
    add_shares(app, plain, "x", W0 - timedelta(days=1), 7)  # the day before the range
    add_clicks(app, energy, "x", W0 + timedelta(days=1), 10, 2)
    add_clicks(app, both, "x", W0 + timedelta(days=9), 5, 1)
    add_clicks(app, plain, "bluesky", TODAY, 6, 3)
    return {"energy": energy, "both": both, "plain": plain, "topics": topics, "needs": needs}


def figures(app, period, use_rollups=True):
    with app.app_context():
        return insights.insights(get_session(), period, 5, "en", use_rollups=use_rollups)


def roll_up(app, today=TODAY):
    with app.app_context():
        session = get_session()
        built = insights_rollup.build(session, today)
        session.commit()
        return built


def summary(result):
    """Every figure of the page that is not about people, as plain values."""
    counts = lambda c: (c.shares, c.clicks, c.previews)  # noqa: E731
    return {
        "totals": counts(result.totals),
        "weeks": [(r.key, counts(r.counts)) for r in result.weeks],
        "networks": {r.key: counts(r.counts) for r in result.networks},
        "topics": {r.label: counts(r.counts) for r in result.topics},
        "needs": {r.key: counts(r.counts) for r in result.needs},
        "top": [(r.label, counts(r.counts)) for r in result.top_content],
    }


PERIOD = insights.DateRange(W0, TODAY)


def test_aggregates_on_known_data(app, known):
    result = summary(figures(app, PERIOD))
    assert result["totals"] == (3 + 2 + 4 + 1, 10 + 5 + 6, 2 + 1 + 3)
    assert result["weeks"] == [
        (W0.isoformat(), (3, 10, 2)),
        ((W0 + timedelta(weeks=1)).isoformat(), (6, 5, 1)),
        ((W0 + timedelta(weeks=2)).isoformat(), (1, 6, 3)),
    ]
    assert result["networks"]["x"] == (7, 15, 3)
    assert result["networks"]["linkedin"] == (2, 0, 0)
    assert result["networks"]["bluesky"] == (1, 6, 3)
    assert result["networks"]["whatsapp"] == (0, 0, 0)  # every network is listed
    # "Both topics" counts under each of its topics.
    assert result["topics"] == {"Energy": (9, 15, 3), "Jobs": (4, 5, 1)}
    assert result["needs"] == {str(known["needs"]["career"]): (5, 10, 2)}
    assert result["top"] == [("Energy post", (5, 10, 2)), ("Both topics", (4, 5, 1)), ("Plain post", (1, 6, 3))]


def test_rolled_up_figures_equal_the_raw_ones(app, known):
    raw = summary(figures(app, PERIOD, use_rollups=False))
    assert roll_up(app) == (W0 - timedelta(days=1), TODAY - timedelta(days=1))
    with app.app_context():
        assert insights_rollup.watermark(get_session()) == TODAY - timedelta(days=1)
    assert summary(figures(app, PERIOD)) == raw
    # A range that ends inside the rolled-up days, and one that starts after them.
    inside = insights.DateRange(W0 + timedelta(days=1), W0 + timedelta(days=8))
    assert summary(figures(app, inside)) == summary(figures(app, inside, use_rollups=False))
    assert summary(figures(app, insights.DateRange(TODAY, TODAY)))["totals"] == (1, 6, 3)
    # Running again builds nothing and changes nothing.
    assert roll_up(app) is None
    assert summary(figures(app, PERIOD)) == raw


def test_undoing_a_share_of_a_rolled_up_day_updates_the_roll_up(app, known):
    add_shares(app, known["plain"], "email", TODAY - timedelta(days=1), 1)
    roll_up(app)
    with app.app_context():
        session = get_session()
        event_id = session.scalar(select(ShareEvent.id).where(ShareEvent.network == "email"))
        assert sharing.undo_share(session, event_id)
        session.commit()
    rolled = summary(figures(app, PERIOD))
    assert rolled == summary(figures(app, PERIOD, use_rollups=False))
    assert rolled["networks"]["email"] == (0, 0, 0)


def test_a_share_recorded_on_a_rolled_up_day_is_counted_there(app, auth, known):
    user = auth.create_user(Role.AMBASSADOR)
    roll_up(app, today=TODAY + timedelta(days=1))  # today is closed too
    with app.app_context():
        session = get_session()
        sharing.record_share(session, session.get(User, user.id), known["plain"], "whatsapp",
                             datetime.now(UTC))
        session.commit()
    assert summary(figures(app, PERIOD)) == summary(figures(app, PERIOD, use_rollups=False))
    assert summary(figures(app, PERIOD))["networks"]["whatsapp"] == (1, 0, 0)


@pytest.mark.parametrize("start,end,code", [
    ("2026-13-01", "", "invalid_date"),
    ("yesterday", "", "invalid_date"),
    ("2026-03-10", "2026-03-01", "start_after_end"),
    ("2020-01-01", "2026-01-01", "too_long"),
])
def test_bad_ranges_are_refused(start, end, code):
    with pytest.raises(insights.RangeError) as error:
        insights.parse_range(start, end, date(2026, 3, 20))
    assert error.value.code == code


def test_default_range_is_the_last_twelve_iso_weeks():
    today = date(2026, 3, 19)  # a Thursday
    period = insights.parse_range("", None, today)
    assert period == insights.default_range(today)
    assert period.start == date(2025, 12, 29) and period.start.weekday() == 0 and period.end == today
    assert len({insights.week_of(period.start + timedelta(days=n)) for n in range(period.days)}) == 12


def test_date_range_filter_over_http(app, client, auth, known):
    auth.login_as(Role.CURATOR, language="en")
    day = W0 + timedelta(days=8)
    html = client.get(f"/insights/?start={day}&end={day + timedelta(days=1)}").get_data(as_text=True)
    assert totals_of(html) == {"Shares": 6, "Clicks": 5, "Link previews": 1}
    assert f'value="{day.isoformat()}"' in html


def test_bad_range_over_http_shows_the_error_and_the_default(app, client, auth, known):
    auth.login_as(Role.CURATOR, language="en")
    response = client.get("/insights/?start=2026-02-31&end=nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter dates as YYYY-MM-DD" in html
    default = insights.default_range(TODAY)
    assert f'value="{default.start.isoformat()}"' in html
    response = client.get("/insights/?start=2026-03-10&end=2026-03-01")
    assert "The start date is after the end date" in response.get_data(as_text=True)
    assert client.get("/insights/export.csv?start=x").status_code == 200


def totals_of(html: str) -> dict[str, int]:
    return {label: int(value) for label, value in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)}


def table_rows(html: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after an <h2>/<h3> with this heading, as cell texts."""
    section = html.split(f">{heading}</h", 1)[1]
    table = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_csv_has_the_page_figures(app, client, auth, known):
    auth.login_as(Role.CURATOR, language="en")
    query = f"?start={W0}&end={TODAY}"
    html = client.get("/insights/" + query).get_data(as_text=True)
    response = client.get("/insights/export.csv" + query)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_section = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    total = by_section["totals"][0]
    assert totals_of(html) == {"Shares": int(total["shares"]), "Clicks": int(total["clicks"]),
                               "Link previews": int(total["previews"])}
    for heading, section in (("Top content", "content"), ("By topic", "topic"), ("By network", "network")):
        page = [[cells[0], *map(int, cells[1:])] for cells in table_rows(html, heading)]
        exported = [[row["label"], int(row["shares"]), int(row["clicks"]), int(row["previews"])]
                    for row in by_section[section]]
        assert page == exported, heading
    weeks = [[int(v) for v in cells[1:]] for cells in table_rows(html, "Weekly trends")]
    assert weeks == [[int(r["shares"]), int(r["clicks"]), int(r["previews"])] for r in by_section["week"]]
    assert [r["key"] for r in by_section["week"]] == [monday(W0 + timedelta(weeks=n)).isoformat() for n in range(3)]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(app, client, auth):
    hostile = publish(app, '=HYPERLINK("https://evil.example","x")')
    add_shares(app, hostile, "x", TODAY, 2)
    auth.login_as(Role.CURATOR, language="en")
    rows = list(csv.DictReader(io.StringIO(client.get("/insights/export.csv").get_data(as_text=True))))
    content = [row for row in rows if row["section"] == "content"]
    assert [row["label"] for row in content] == ['\'=HYPERLINK("https://evil.example","x")']
    assert content[0]["shares"] == "2"


def test_charts_are_svg_with_titles_and_no_script(app, client, auth, known):
    auth.login_as(Role.CURATOR, language="en")
    html = client.get(f"/insights/?start={W0}&end={TODAY}").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 4
    assert 'role="img"' in html and "<title id=\"chart-shares-title\">Shares per week</title>" in html
    assert "<script" not in html.split("<main", 1)[-1] and " style=" not in html


@pytest.mark.parametrize("role", [Role.AMBASSADOR])
def test_ambassadors_get_403(client, auth, role):
    auth.login_as(role)
    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/export.csv").status_code == 403


def test_signed_out_is_sent_to_login(client):
    assert client.get("/insights/").status_code == 302
    assert client.get("/insights/export.csv").status_code == 302


def test_admins_and_curators_see_it(client, auth):
    auth.login_as(Role.ADMIN, language="en")
    assert client.get("/insights/").status_code == 200
    auth.logout()
    auth.login_as(Role.CURATOR, language="en")
    assert client.get("/insights/").status_code == 200
