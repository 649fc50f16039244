"""The k rule across views, ranges, time and department changes (anonymity rule 4): the attacks, played.

k = 5. "Big" has 5 active ambassadors, "Small" 2, and 8 more have no
department. An admin reads everything staff can read, the insights CSV
(any range) and the coverage page, before and after each change: Small
deleted, renamed, merged into Big; only Small's members sharing; a range
one day longer; one ambassador changing department. Every reading is kept,
and every pair of readings is compared, not only consecutive ones.

What is checked (``assert_no_small_difference``): for each published count
of people that two readings share (same page, section, line and column),
the published numbers differ by 0 or at least k, and what a reader can
work out from the pair, the difference bounded by the two published
values, is never exactly 1 to k-1 people. On exact counts (the code before
rule 4) each attack below failed, on the numbers of the issue: the
deletion gave Small's head count and sharers, the merge and the coverage
page its head count, the later snapshot and the longer range its sharers.
"""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, Department, Purpose, Role
from advocacy.services import insights
from advocacy.services.anonymity import Band, Hidden
from insights_helpers import add_shares, place_in_department
from program_helpers import people
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)
K = 5

Reading = dict[tuple[str, ...], tuple[int, int]]
HIDDEN = (1, K - 1)  # what "fewer than k" allows


# --- what a reader can say about a count from its published cell ------------------

def bounds(cell: str) -> tuple[int, int] | None:
    """The lowest and highest number of people a published cell allows; None for no figure."""
    cell = cell.strip()
    if cell in ("", "—"):
        return None
    if cell in (f"<{K}", f"fewer than {K}"):
        return HIDDEN
    if "–" in cell:
        low, high = cell.split("–")
        return (int(low), int(high))
    return (int(cell), int(cell))


def assert_no_small_difference(before: Reading, after: Reading) -> None:
    for key in before.keys() & after.keys():
        (low_before, high_before), (low_after, high_after) = before[key], after[key]
        # The published numbers (0 and bands; "fewer than k" is none) move by 0 or by k and more...
        if HIDDEN not in (before[key], after[key]):
            assert low_after == low_before or abs(low_after - low_before) >= K, (key, before[key], after[key])
        # ...and the change a reader can bound from them is never pinned to 1 to k-1 people.
        least, most = low_after - high_before, high_after - low_before
        assert not (least == most and 0 < abs(least) < K), (key, before[key], after[key])


def assert_no_pair_isolates(readings: list[Reading]) -> None:
    for before, after in combinations(readings, 2):
        assert_no_small_difference(before, after)


# --- readings -------------------------------------------------------------------------

def csv_reading(client, start=None, end=None) -> Reading:
    query = {"start": start.isoformat(), "end": end.isoformat()} if start and end else {}
    response = client.get("/insights/export.csv", query_string=query)
    assert response.status_code == 200
    reading: Reading = {}
    for row in csv.DictReader(io.StringIO(response.get_data(as_text=True))):
        if row["section"] not in ("participation", "department"):
            continue
        if row["section"] == "department":
            assert row["shares"] == "", "a department's shares move by exactly what its members did"
        for column in ("active_ambassadors", "ambassadors_who_shared"):
            value = bounds(row[column])
            if value is not None:
                reading[("csv", row["section"], row["label"], column)] = value
    return reading


def coverage_reading(client) -> Reading:
    html = client.get("/admin/program/coverage").get_data(as_text=True)
    reading: Reading = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 5:
            value = bounds(cells[2])
            if value is not None:
                reading[("coverage", cells[0])] = value
    dd = re.findall(r"<dd>(.*?)</dd>", html[html.index('id="renewals"'):])
    reading[("coverage", "ending soon")], reading[("coverage", "lapsed")] = bounds(dd[0]), bounds(dd[1])
    return reading


def read_all(client, **range_) -> Reading:
    return {**csv_reading(client, **range_), **coverage_reading(client)}


# --- the program of the issue ----------------------------------------------------------

@pytest.fixture
def post(app, world):
    return publish(app, "A post")


def ambassadors(app, auth, count, prefix, *, shares=0, post=None, day=TODAY):
    users = people(auth, Role.AMBASSADOR, count, prefix)
    for user in users:
        grant(app, user, Purpose.SHARE_ATTRIBUTION)
        if shares:
            add_shares(app, post, "x", day, shares, user.id)
    return users


@pytest.fixture
def program(app, auth, post):
    """Big: 5 who shared; Small: 2, who have not shared yet; no department: 6 who shared, 2 who did not."""
    big = ambassadors(app, auth, 5, "big", shares=1, post=post, day=YESTERDAY)
    small = ambassadors(app, auth, 2, "small")
    nodept = ambassadors(app, auth, 6, "nodept", shares=1, post=post, day=YESTERDAY)
    ambassadors(app, auth, 2, "quiet")
    place_in_department(app, [u.id for u in big], "Big")
    place_in_department(app, [u.id for u in small], "Small")
    auth.login_as(Role.ADMIN, language="en")
    return {"big": big, "small": small, "nodept": nodept}


def department_id(app, name: str) -> int:
    with app.app_context():
        return get_session().scalar(select(Department.id).where(Department.name == name))


def small_shares(app, program, post, day=TODAY):
    for user in program["small"]:
        add_shares(app, post, "x", day, 3, user.id)


# --- the attacks ------------------------------------------------------------------------

def test_deleting_the_small_department_gives_neither_its_head_count_nor_its_sharers(app, client, program, post):
    """Its people move to "no department": the before/after difference of the CSV is the attack."""
    small_shares(app, program, post)
    before = read_all(client)
    response = client.post(f"/admin/program/departments/{department_id(app, 'Small')}/delete")
    assert response.status_code == 302
    after = read_all(client)
    assert ("csv", "department", "No department", "active_ambassadors") in before.keys() & after.keys()
    assert_no_small_difference(before, after)


def test_coverage_beside_the_merged_other_line_gives_no_head_count(app, client, program, post):
    """Coverage shows Big alone and Small as "fewer than 5"; insights merges both into "other"."""
    reading = read_all(client)
    other = reading[("csv", "department", "Other departments (merged)", "active_ambassadors")]
    big = reading[("coverage", "Big")]
    assert reading[("coverage", "Small")] == HIDDEN
    least, most = other[0] - big[1], other[1] - big[0]
    assert not (least == most and 0 < least < K), (other, big)
    assert least <= 0 and most >= K - 1  # the subtraction allows every size of Small, and none


def test_two_snapshots_of_one_range_around_the_small_group_sharing(app, client, program, post):
    before = read_all(client)
    small_shares(app, program, post)
    after = read_all(client)
    assert before.keys() & after.keys() >= {("csv", "participation", "", "ambassadors_who_shared"),
                                            ("csv", "department", "Other departments (merged)",
                                             "ambassadors_who_shared")}
    assert_no_small_difference(before, after)


def test_two_ranges_one_day_apart_around_the_small_group_sharing(app, client, program, post):
    small_shares(app, program, post, day=TODAY)  # everyone else shared yesterday
    start = TODAY - timedelta(days=7)
    readings = [read_all(client, start=start, end=YESTERDAY), read_all(client, start=start, end=TODAY),
                read_all(client, start=TODAY, end=TODAY)]
    assert_no_pair_isolates(readings)


def test_rename_then_merge_then_one_person_moving_isolates_no_one_across_every_pair(app, client, program, post):
    """Rename and merge have no page of their own yet: done as an admin action would, in the database."""
    small_shares(app, program, post)
    readings = [read_all(client)]
    with app.app_context():
        session = get_session()
        session.get(Department, department_id(app, "Small")).name = "Tiny"
        session.commit()
    readings.append(read_all(client))
    with app.app_context():  # merge Tiny into Big: its people move, the department goes
        session = get_session()
        tiny, big = department_id(app, "Tiny"), department_id(app, "Big")
        for profile in session.scalars(select(AmbassadorProfile).where(AmbassadorProfile.department_id == tiny)):
            profile.department_id = big
        session.delete(session.get(Department, tiny))
        session.commit()
    readings.append(read_all(client))
    place_in_department(app, [program["nodept"][0].id], "Big")  # one ambassador changes department
    readings.append(read_all(client))
    place_in_department(app, [program["nodept"][1].id], "Fresh")  # a new department, one person in it
    readings.append(read_all(client))
    assert readings[2][("coverage", "Big")] == (5, 9)  # 7 after the merge: still the band of 5
    assert_no_pair_isolates(readings)


# --- the same, over many programs, on the service alone --------------------------------

def published(rows, participation) -> Reading:
    reading: Reading = {}
    for value, key in ((participation.active, ("active",)), (participation.sharers, ("sharers",))):
        if (b := value_bounds(value)) is not None:
            reading[key] = b
    for row in rows:
        for value, column in ((row.active, "active"), (row.sharers, "sharers")):
            if (b := value_bounds(value)) is not None:
                reading[(row.label, column)] = b
    return reading


def value_bounds(value) -> tuple[int, int] | None:
    if isinstance(value, Hidden):
        return HIDDEN
    if isinstance(value, Band):
        return (value.low, value.high)
    return (value, value)


def snapshot(members: dict[int, tuple[str, bool]]) -> Reading:
    groups: dict[str, insights.Group] = {}
    for department, shared in members.values():
        group = groups.setdefault(department, insights.Group(department, 0, 0))
        group.active += 1
        group.sharers += shared
    rows = insights.department_breakdown(list(groups.values()), K, "Other")
    return published(rows, insights.participation(len(members), sum(s for _, s in members.values()), K))


@pytest.mark.parametrize("seed", range(300))
def test_fewer_than_k_people_changing_never_show_in_the_difference(seed):
    """Up to k-1 people move department (deleted, merged), start sharing, join or leave."""
    rng = random.Random(seed)
    names = [f"D{n}" for n in range(rng.randint(1, 5))] + ["No department"]
    members = {i: (rng.choice(names), rng.random() < 0.6) for i in range(rng.randint(0, 40))}
    before = snapshot(members)
    changed = dict(members)
    for person in rng.sample(range(len(members) + K), rng.randint(1, K - 1)):
        action = rng.choice(("move", "share", "leave")) if person in members else "join"
        if action == "join":
            changed[person] = (rng.choice([*names, "New"]), rng.random() < 0.5)
        elif action == "move":
            changed[person] = (rng.choice([*names, "New"]), members[person][1])
        elif action == "share":
            changed[person] = (members[person][0], True)
        else:
            del changed[person]
    assert_no_small_difference(before, snapshot(changed))


# --- the API beside the pages ---------------------------------------------------------

def api_reading(client, token: str, start=None, end=None) -> Reading:
    """The same counts of people, read from GET /api/v1/insights, under the CSV's keys."""
    query = f"?start={start.isoformat()}&end={end.isoformat()}" if start and end else ""
    response = client.get(f"/api/v1/insights{query}", headers={"Authorization": f"Bearer {token}",
                                                                "Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_json()

    def people_bounds(value) -> tuple[int, int]:
        return HIDDEN if value.get("hidden") else (value["low"], value["high"])

    reading: Reading = {
        ("csv", "participation", "", "active_ambassadors"): people_bounds(body["participation"]["active"]),
        ("csv", "participation", "", "ambassadors_who_shared"): people_bounds(body["participation"]["sharers"]),
    }
    for row in body["departments"]:
        reading[("csv", "department", row["label"], "active_ambassadors")] = people_bounds(row["active"])
        reading[("csv", "department", row["label"], "ambassadors_who_shared")] = people_bounds(row["sharers"])
    return reading


def test_the_api_tells_no_more_than_the_pages_over_ranges_and_time(app, client, auth, program, post):
    """A staff token reads the insights too: for every range and moment, its counts of people are
    the CSV's, so reading both (and comparing either across ranges) isolates nobody."""
    from api_helpers import staff_token

    admin = auth.create_user(Role.ADMIN, email="reporter@example.org")
    token = staff_token(app, admin, ["insights:read"])
    api = app.test_client()  # no cookie: the API reads the token only
    start = TODAY - timedelta(days=7)
    ranges = [{}, {"start": start, "end": YESTERDAY}, {"start": start, "end": TODAY}, {"start": TODAY, "end": TODAY}]
    readings = []
    for moment in ("before", "after"):
        if moment == "after":
            small_shares(app, program, post, day=TODAY)
        for range_ in ranges:
            pages = csv_reading(client, **range_)
            from_api = api_reading(api, token, **range_)
            assert from_api == {key: value for key, value in pages.items() if key in from_api}
            assert from_api.keys() <= pages.keys()
            readings += [from_api, {**pages, **coverage_reading(client)}]
    assert_no_pair_isolates(readings)
