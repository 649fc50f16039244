"""Insights over people: participation and departments, thresholded at k; milestones; own shares."""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from advocacy import jobs
from advocacy.models import Purpose, Role
from advocacy.services import insights
from advocacy.services.anonymity import Band, Hidden, Rate
from advocacy.services.insights import Group, department_breakdown
from insights_helpers import add_clicks, add_shares, place_in_department
from program_helpers import people, switch_to
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
K = 5
HIDDEN = Hidden(K)


def band(low: int) -> Band:
    return Band(low, low + K - 1)


def shown(rows):
    return {row.label: (row.active, row.sharers) for row in rows}


def test_groups_under_k_merge_into_other_and_hide_their_counts():
    groups = [Group("Big", 12, 10), Group("Mid", 6, 5), Group("Tiny", 2, 2), Group("Small", 3, 1)]
    rows = department_breakdown(groups, K, "Other")
    assert shown(rows) == {"Big": (band(10), band(10)), "Mid": (band(5), HIDDEN), "Other": (band(5), HIDDEN)}
    assert [row.other for row in rows] == [False, False, True]
    # Other has 3 sharers (< k): hidden; with it alone hidden, total − shown
    # would give it, so the smallest shown sharer figure (Mid) is hidden too.
    assert rows[1].sharers == HIDDEN and rows[1].percent == HIDDEN


def test_other_still_under_k_takes_the_next_smallest_group():
    rows = department_breakdown([Group("A", 12, 12), Group("B", 6, 5), Group("C", 3, 0)], K, "Other")
    assert shown(rows) == {"A": (band(10), band(10)), "Other": (band(5), band(5))}
    # Among equal bands the first given joins, not the smaller: A (9) before B (6), both 5–9.
    rows = department_breakdown([Group("A", 9, 9), Group("B", 6, 5), Group("C", 3, 0)], K, "Other")
    assert shown(rows) == {"B": (band(5), band(5)), "Other": (band(10), band(5))}
    assert department_breakdown([Group("A", 2, 2), Group("B", 2, 1)], K, "Other") == []


def test_groups_at_k_are_shown_as_bands_and_rates_as_what_the_bands_allow():
    """Bands of k (anonymity rule 4): 5 and 7 both read 5–9; 12 reads 10–14."""
    rows = department_breakdown([Group("A", 5, 5), Group("B", 7, 6), Group("C", 12, 5)], K, "Other")
    assert [(r.label, r.active, r.sharers, r.percent) for r in rows] == [
        ("A", band(5), band(5), Rate(55, 100)), ("B", band(5), band(5), Rate(55, 100)),
        ("C", band(10), band(5), Rate(35, 90))]


@pytest.mark.parametrize("seed", range(200))
def test_total_minus_visible_never_reveals_a_small_group(seed):
    """Differencing: whatever is hidden, taken together, is about at least k people."""
    rng = random.Random(seed)
    groups = []
    for n in range(rng.randint(1, 7)):
        active = rng.randint(1, 12)
        groups.append(Group(f"D{n}", active, rng.randint(0, active)))
    rows = department_breakdown(groups, K, "Other")
    total_active = sum(g.active for g in groups)
    total_sharers = sum(g.sharers for g in groups)
    if not rows:
        assert total_active < K
        return
    exact = {g.label: g for g in groups}
    own = [r for r in rows if not r.other]
    exact_active = {r.label: exact[r.label].active for r in own}
    exact_sharers = {r.label: exact[r.label].sharers for r in own}
    for r in rows:
        if r.other:
            exact_active[r.label] = total_active - sum(exact[o.label].active for o in own)
            exact_sharers[r.label] = total_sharers - sum(exact[o.label].sharers for o in own)
    for row in rows:
        # Every count is a band of k holding the exact count, starting at a multiple of k.
        assert isinstance(row.active, Band) and row.active.low >= K and row.active.low % K == 0
        assert row.active.low <= exact_active[row.label] <= row.active.high
        assert row.sharers == HIDDEN or row.sharers == 0 or (
            isinstance(row.sharers, Band) and row.sharers.low % K == 0
            and row.sharers.low <= exact_sharers[row.label] <= row.sharers.high)
    rest = total_active - sum(exact_active[r.label] for r in own)
    assert rest == 0 or rest >= K
    hidden_sharers = sum(exact_sharers[r.label] for r in rows if r.sharers == HIDDEN)
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
    assert insights.participation(20, 4, K) == insights.Participation(band(20), HIDDEN, HIDDEN)
    # 5–9 of 20–24: from 5/24 to 9/20, i.e. 20 % to 45 %.
    assert insights.participation(20, 5, K) == insights.Participation(band(20), band(5), Rate(20, 45))


def test_participation_shows_zero_as_zero():
    """Zero counts nobody (services.anonymity): shown, where it used to read "fewer than k"."""
    assert insights.participation(20, 0, K) == insights.Participation(band(20), 0, Rate(0, 0))
    assert insights.participation(0, 0, K) == insights.Participation(0, 0, None)
    # A rate needs k active ambassadors behind it, even when nobody shared.
    assert insights.participation(4, 0, K) == insights.Participation(HIDDEN, 0, HIDDEN)


def test_a_department_where_nobody_shared_shows_zero():
    rows = department_breakdown([Group("A", 6, 0), Group("B", 7, 6)], K, "Other")
    assert [(r.label, r.sharers, r.percent) for r in rows] == [("A", 0, Rate(0, 0)), ("B", band(5), Rate(55, 100))]


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
    assert "35–90 % of active ambassadors shared in this range (5–9 of 10–14)." in html
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
    # Nobody shared under their name: 0 of 5–9, where it used to read "fewer than 5 shared".
    assert "0 % of active ambassadors shared in this range (0 of 5–9)." in html
    assert participation_csv(client) == {"active_ambassadors": "5–9", "ambassadors_who_shared": "0",
                                         "participation_percent": "0"}
    attributed_sharers(app, auth, 4, "sharer", post=post)
    assert participation_csv(client) == {"active_ambassadors": "10–14", "ambassadors_who_shared": "<5",
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
    assert "(5–9 of 10–14)" in html
    assert rows == ["Sales 5–9 hidden (small group)", "Other departments (merged) 5–9 hidden (small group)"]
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
    # Shares per department are not published (a group's shares move by
    # exactly what its members do).
    assert rows == ["Sales 5–9 5–9 55–100 %", "Other departments (merged) 5–9 5–9 55–100 %"]


def test_milestones_show_the_network_month_once_k_people_attribute(app, client, auth, post):
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", name="Me", language="en")
    attributed_sharers(app, auth, 4, "mate", post=post, shares_each=3)
    add_clicks(app, post, "x", TODAY, 17)
    add_shares(app, post, "x", TODAY.replace(day=1) - timedelta(days=1), 50)  # last month
    switch_to(auth, me)
    jobs.run_job(app, jobs.compute_shared_figures, need_lease=True)
    html = client.get("/").get_data(as_text=True)
    assert "The network shared" not in html  # 4 people: one could be worked out
    attributed_sharers(app, auth, 1, "fifth", post=post, shares_each=1)
    jobs.run_job(app, jobs.compute_shared_figures, need_lease=True)  # the scheduler, every 5 minutes
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
    # Months by name, in the reader's language ("December 2026"), never "2026-12".
    assert rows == [[*TODAY.strftime("%B %Y").split(), "X", "2"],
                    [*last_month.strftime("%B %Y").split(), "LinkedIn", "3"]]
    auth.logout()
    auth.login_as(Role.CURATOR)
    assert client.get("/me/shares").status_code == 403
