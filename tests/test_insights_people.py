"""Insights over people: participation and departments, thresholded at k; milestones; own shares."""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.models import Purpose, Role
from advocacy.services import insights
from advocacy.services.anonymity import Hidden
from advocacy.services.insights import Group, department_breakdown
from insights_helpers import add_clicks, add_shares, place_in_department
from program_helpers import people, switch_to
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
K = 5
HIDDEN = Hidden(K)


def shown(rows):
    return {row.label: (row.active, row.sharers) for row in rows}


def test_groups_under_k_merge_into_other_and_hide_their_counts():
    groups = [Group("Big", 8, 6, 30), Group("Mid", 6, 5, 12), Group("Tiny", 2, 2, 9), Group("Small", 3, 1, 1)]
    rows = department_breakdown(groups, K, "Other")
    assert shown(rows) == {"Big": (8, 6), "Mid": (6, HIDDEN), "Other": (5, HIDDEN)}
    assert [row.other for row in rows] == [False, False, True]
    # Other has 3 sharers (< k): hidden; with it alone hidden, total − shown
    # would give it, so the smallest shown sharer figure (Mid) is hidden too.
    assert rows[1].sharers == HIDDEN and rows[1].shares == HIDDEN and rows[1].percent == HIDDEN


def test_other_still_under_k_takes_the_next_smallest_group():
    rows = department_breakdown([Group("A", 9, 9, 9), Group("B", 6, 5, 5), Group("C", 3, 0, 0)], K, "Other")
    assert shown(rows) == {"A": (9, 9), "Other": (9, 5)}
    assert department_breakdown([Group("A", 2, 2, 2), Group("B", 2, 1, 1)], K, "Other") == []


def test_groups_at_k_are_shown_as_they_are():
    rows = department_breakdown([Group("A", 5, 5, 11), Group("B", 7, 6, 20)], K, "Other")
    assert [(r.label, r.active, r.sharers, r.shares, r.percent) for r in rows] == [
        ("A", 5, 5, 11, 100.0), ("B", 7, 6, 20, 85.7)]


@pytest.mark.parametrize("seed", range(200))
def test_total_minus_visible_never_reveals_a_small_group(seed):
    """Differencing: whatever is hidden, taken together, is about at least k people."""
    rng = random.Random(seed)
    groups = []
    for n in range(rng.randint(1, 7)):
        active = rng.randint(1, 12)
        sharers = rng.randint(0, active)
        groups.append(Group(f"D{n}", active, sharers, sharers * rng.randint(1, 4)))
    rows = department_breakdown(groups, K, "Other")
    total_active = sum(g.active for g in groups)
    total_sharers = sum(g.sharers for g in groups)
    if not rows:
        assert total_active < K
        return
    for row in rows:
        assert row.active >= K
        assert row.sharers == HIDDEN or row.sharers == 0 or row.sharers >= K
    assert total_active - sum(r.active for r in rows if not r.other) in (0,) or \
        total_active - sum(r.active for r in rows if not r.other) >= K
    hidden_sharers = total_sharers - sum(r.sharers for r in rows if r.sharers != HIDDEN)
    if any(r.sharers == HIDDEN for r in rows):
        # Only a meaningful subtraction when the participation total is shown.
        assert hidden_sharers >= K or total_sharers < K
    # Every department is on a line of its own or inside "other".
    names = {r.label for r in rows if not r.other}
    assert names <= {g.label for g in groups}
    for left, right in itertools.combinations(rows, 2):
        assert left.label != right.label


def test_participation_needs_k_on_both_sides():
    assert insights.participation(4, 4, K) == insights.Participation(HIDDEN, HIDDEN, HIDDEN)
    assert insights.participation(20, 4, K) == insights.Participation(20, HIDDEN, HIDDEN)
    assert insights.participation(20, 5, K) == insights.Participation(20, 5, 25.0)


def test_participation_shows_zero_as_zero():
    """Zero counts nobody (services.anonymity): shown, where it used to read "fewer than k"."""
    assert insights.participation(20, 0, K) == insights.Participation(20, 0, 0.0)
    assert insights.participation(0, 0, K) == insights.Participation(0, 0, None)
    # A rate needs k active ambassadors behind it, even when nobody shared.
    assert insights.participation(4, 0, K) == insights.Participation(HIDDEN, 0, HIDDEN)


def test_a_department_where_nobody_shared_shows_zero():
    rows = department_breakdown([Group("A", 6, 0, 0), Group("B", 7, 6, 9)], K, "Other")
    assert [(r.label, r.sharers, r.shares, r.percent) for r in rows] == [("A", 0, 0, 0.0), ("B", 6, 9, 85.7)]


@pytest.fixture
def post(app, world):
    return publish(app, "A post")


def attributed_sharers(app, auth, count, prefix, shares_each=1, post=None, day=TODAY):
    users = people(auth, Role.AMBASSADOR, count, prefix)
    for user in users:
        grant(app, user, Purpose.SHARE_ATTRIBUTION)
        add_shares(app, post, "x", day, shares_each, user.id)
    return users


def test_participation_over_http_is_hidden_below_k(app, client, auth, post):
    sharing = attributed_sharers(app, auth, 4, "sharer", post=post)
    people(auth, Role.AMBASSADOR, 6, "quiet")
    add_shares(app, post, "x", TODAY, 3)  # anonymous: counted, name nobody
    auth.login_as(Role.CURATOR, language="en")
    html = client.get("/insights/").get_data(as_text=True)
    assert "Fewer than 5 ambassadors shared under their name" in html
    assert "of active ambassadors shared" not in html
    grant(app, attributed_sharers(app, auth, 1, "fifth", post=post)[0], Purpose.SHARE_ATTRIBUTION)
    html = client.get("/insights/").get_data(as_text=True)
    assert "45.5 % of active ambassadors shared in this range (5 of 11)." in html
    assert len(sharing) == 4


def participation_csv(client) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(client.get("/insights/export.csv").get_data(as_text=True)))
    row = next(row for row in rows if row["section"] == "participation")
    return {key: row[key] for key in ("active_ambassadors", "ambassadors_who_shared", "participation_percent")}


def test_participation_zero_and_hidden_over_http(app, client, auth, post):
    """Zero reads as zero on the page and in the export; 1 to k-1 as "fewer than k" and "<k"."""
    auth.login_as(Role.CURATOR, language="en")
    html = client.get("/insights/").get_data(as_text=True)
    assert "No active ambassadors: participation is not shown." in html and "No active ambassadors." in html
    assert participation_csv(client) == {"active_ambassadors": "0", "ambassadors_who_shared": "0",
                                         "participation_percent": ""}
    people(auth, Role.AMBASSADOR, 3, "early")
    html = client.get("/insights/").get_data(as_text=True)
    assert "Fewer than 5 active ambassadors: participation is not shown." in html
    assert participation_csv(client) == {"active_ambassadors": "<5", "ambassadors_who_shared": "0",
                                         "participation_percent": "<5"}
    people(auth, Role.AMBASSADOR, 3, "quiet")
    html = client.get("/insights/").get_data(as_text=True)
    # Nobody shared under their name: 0 of 6, where it used to read "fewer than 5 shared".
    assert "0.0 % of active ambassadors shared in this range (0 of 6)." in html
    assert participation_csv(client) == {"active_ambassadors": "6", "ambassadors_who_shared": "0",
                                         "participation_percent": "0.0"}
    attributed_sharers(app, auth, 4, "sharer", post=post)
    assert participation_csv(client) == {"active_ambassadors": "10", "ambassadors_who_shared": "<5",
                                         "participation_percent": "<5"}


def test_department_breakdown_over_http(app, client, auth, post):
    sales = attributed_sharers(app, auth, 6, "sales", post=post, shares_each=2)
    research = people(auth, Role.AMBASSADOR, 2, "research")
    place_in_department(app, [u.id for u in sales], "Sales")
    place_in_department(app, [u.id for u in research], "Research")
    others = people(auth, Role.AMBASSADOR, 3, "nodept")
    grant(app, others[0], Purpose.SHARE_ATTRIBUTION)
    add_shares(app, post, "x", TODAY, 1, others[0].id)
    auth.login_as(Role.CURATOR, language="en")
    html = client.get("/insights/").get_data(as_text=True)
    table = html.split(">By department</h3>", 1)[1].split("</table>", 1)[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]
    # "Other" (Research + no department) has one sharer: hidden; and since
    # participation (7 of 11) is shown, Sales's 6 is hidden too (7 − 6 = 1).
    assert "7 of 11" in html
    assert rows == ["Sales 6 hidden (small group)", "Other departments (merged) 5 hidden (small group)"]
    assert "Research" not in html
    for user in sales[:1] + others[:1]:
        add_shares(app, post, "x", TODAY, 1, user.id)
    extra = attributed_sharers(app, auth, 4, "late", post=post)
    place_in_department(app, [u.id for u in extra], "Research")
    html = client.get("/insights/").get_data(as_text=True)
    table = html.split(">By department</h3>", 1)[1].split("</table>", 1)[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]
    # Research reaches 6, but "no department" (3) must merge with the next
    # smallest group: Research joins it, and that merged group has 5 sharers.
    assert rows == ["Sales 6 6 100.0 % 13", "Other departments (merged) 9 5 55.6 % 6"]


def test_milestones_show_the_network_month_once_k_people_attribute(app, client, auth, post):
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", name="Me", language="en")
    attributed_sharers(app, auth, 4, "mate", post=post, shares_each=3)
    add_clicks(app, post, "x", TODAY, 17)
    add_shares(app, post, "x", TODAY.replace(day=1) - timedelta(days=1), 50)  # last month
    switch_to(auth, me)
    html = client.get("/").get_data(as_text=True)
    assert "The network shared" not in html  # 4 people: one could be worked out
    attributed_sharers(app, auth, 1, "fifth", post=post, shares_each=1)
    html = client.get("/").get_data(as_text=True)
    assert "The network shared 13 posts this month." in html
    assert "People clicked 17 times on the links the network shared." in html
    assert "Mate 0" not in html and "mate0@example.org" not in html


def test_my_shares_lists_my_own_by_month_and_network(app, client, auth, post):
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", name="Me", language="en")
    grant(app, me, Purpose.SHARE_ATTRIBUTION)
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    add_shares(app, post, "x", TODAY, 2, me.id)
    add_shares(app, post, "linkedin", last_month, 3, me.id)
    add_shares(app, post, "x", TODAY, 9)  # someone else's, anonymous
    switch_to(auth, me)
    html = client.get("/me/shares").get_data(as_text=True)
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)][1:]
    assert rows == [[TODAY.strftime("%Y-%m"), "X", "2"], [last_month.strftime("%Y-%m"), "LinkedIn", "3"]]
    auth.logout()
    auth.login_as(Role.CURATOR)
    assert client.get("/me/shares").status_code == 403
