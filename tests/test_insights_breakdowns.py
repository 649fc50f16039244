"""Insights: the breakdowns read in one statement (topics, needs, top content) and the live clicks.

The figures are checked against sums worked out here from the rows written,
on every path the page can take: everything read live (several days, as
before the first roll-up), roll-ups with only today live, and roll-ups with
several live days across a week boundary (the job has not run for a while).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import pytest

from advocacy.services import insights
from advocacy.services.networks import LINK_NETWORKS
from insights_helpers import add_clicks, add_shares, monday
from test_insights import TODAY, figures, roll_up, summary
from test_personal_feed import publish, world  # noqa: F401

W0 = monday(TODAY) - timedelta(weeks=2)
FIRST_DAY = W0 - timedelta(days=3)  # a few days before the ranges below
CONTENTS = insights.TOP_CONTENT + 4  # and three more below: more than the top list holds


@pytest.fixture
def mixed(app, world):
    """Contents with overlapping tags and small, often equal, counts (ties at the top-list cut).

    Returns the titles, tags and every row written, for the expected sums.
    """
    needs, topics = world
    rng = random.Random(6)
    contents = {}
    for n in range(CONTENTS):
        topic_names = ["Energy"] * (n % 2 == 0) + ["Jobs"] * (n % 3 == 0)  # some both, some none
        need_ids = [needs["career"]] * (n % 4 == 0) + [needs["networking"]] * (n % 5 == 1)
        content_id = publish(app, f"Post {n}", topics=[topics[name] for name in topic_names], needs=need_ids)
        contents[content_id] = {"title": f"Post {n}", "topics": topic_names, "needs": need_ids}
    days = [FIRST_DAY + timedelta(days=d) for d in range((TODAY - FIRST_DAY).days + 1)]
    shares, clicks = [], {}
    for content_id in contents:
        for _ in range(rng.randint(1, 4)):
            shares.append((content_id, rng.choice(LINK_NETWORKS), rng.choice(days), rng.randint(1, 2)))
        for _ in range(rng.randint(1, 4)):
            clicks[(content_id, rng.choice(LINK_NETWORKS), rng.choice(days))] = (rng.randint(0, 3), rng.randint(0, 1))
    # Three contents level on shares and clicks at the top: the oldest comes first.
    for n in range(3):
        content_id = publish(app, f"Level {n}", topics=[topics["Jobs"]])
        contents[content_id] = {"title": f"Level {n}", "topics": ["Jobs"], "needs": []}
        shares.append((content_id, "x", W0 + timedelta(days=3), 10))
        clicks[(content_id, "linkedin", W0 + timedelta(days=3))] = (10, 0)
    # One link clicked on each of the last days: its rows must add up across days
    # for the content, and stay on their own days (and weeks) for the trends.
    first = next(iter(contents))
    for day in (monday(TODAY) - timedelta(days=1), monday(TODAY), TODAY):
        clicks[(first, "x", day)] = (2, 1)
    for content_id, network, day, count in shares:
        add_shares(app, content_id, network, day, count)
    for (content_id, network, day), (click_count, previews) in clicks.items():
        add_clicks(app, content_id, network, day, click_count, previews)
    rows = [(c, n, d, s, 0, 0) for c, n, d, s in shares] + [(c, n, d, 0, k, p) for (c, n, d), (k, p) in clicks.items()]
    return {"contents": contents, "rows": rows}  # rows: (content, network, day, shares, clicks, previews)


def expected(mixed, period):
    """The page's figures (as ``summary`` gives them), summed here from the rows written."""
    in_range = [row for row in mixed["rows"] if period.start <= row[2] <= period.end]
    add = lambda total, row: tuple(a + b for a, b in zip(total, row[3:], strict=True))  # noqa: E731
    totals, weeks, networks = (0, 0, 0), defaultdict(lambda: (0, 0, 0)), dict.fromkeys(LINK_NETWORKS, (0, 0, 0))
    per_content = defaultdict(lambda: (0, 0, 0))
    for row in in_range:
        totals = add(totals, row)
        weeks[monday(row[2])] = add(weeks[monday(row[2])], row)
        networks[row[1]] = add(networks[row[1]], row)
        per_content[row[0]] = add(per_content[row[0]], row)
    topics, needs = defaultdict(lambda: (0, 0, 0)), defaultdict(lambda: (0, 0, 0))
    for content_id, counts in per_content.items():
        for topic in mixed["contents"][content_id]["topics"]:
            topics[topic] = tuple(a + b for a, b in zip(topics[topic], counts, strict=True))
        for need in mixed["contents"][content_id]["needs"]:
            needs[str(need)] = tuple(a + b for a, b in zip(needs[str(need)], counts, strict=True))
    best = sorted(per_content.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:insights.TOP_CONTENT]
    mondays = sorted({monday(period.start + timedelta(days=d)) for d in range(period.days)})
    return {
        "totals": totals,
        "weeks": [(m.isoformat(), weeks[m]) for m in mondays],
        "networks": networks,
        "topics": dict(topics),
        "needs": dict(needs),
        "top": [(mixed["contents"][content_id]["title"], counts) for content_id, counts in best],
    }


RANGES = [
    insights.DateRange(W0, TODAY),  # the default kind: ends today
    insights.DateRange(W0 + timedelta(days=2), monday(TODAY)),  # ends inside the last live days
    insights.DateRange(TODAY, TODAY),
]


def test_everything_read_live_matches_the_rows(app, mixed):
    for period in RANGES:
        assert summary(figures(app, period, use_rollups=False)) == expected(mixed, period), period


def test_roll_ups_with_only_today_live_match_the_rows(app, mixed):
    roll_up(app)
    for period in RANGES:
        assert summary(figures(app, period)) == expected(mixed, period), period


def test_roll_ups_with_several_live_days_across_a_week_match_the_rows(app, mixed):
    # Rolled up to the Saturday before last Sunday: Sunday, Monday... today are read live.
    roll_up(app, today=monday(TODAY) - timedelta(days=1))
    for period in RANGES:
        assert summary(figures(app, period)) == expected(mixed, period), period


def test_the_top_list_is_cut_with_ties_broken_the_same_way(app, mixed):
    result = summary(figures(app, RANGES[0], use_rollups=False))
    assert len(result["top"]) == insights.TOP_CONTENT < len(mixed["contents"])
    assert [title for title, _counts in result["top"][:3]] == ["Level 0", "Level 1", "Level 2"]
    roll_up(app)
    assert summary(figures(app, RANGES[0]))["top"] == result["top"]


def test_a_tie_across_the_cut_keeps_the_oldest_contents(app):
    ids = [publish(app, f"Same {n}") for n in range(insights.TOP_CONTENT + 2)]
    for content_id in reversed(ids):
        add_shares(app, content_id, "x", W0, 1)
        add_clicks(app, content_id, "x", TODAY, 1)
    period = insights.DateRange(W0, TODAY)
    live = figures(app, period, use_rollups=False).top_content
    roll_up(app)
    for top in (live, figures(app, period).top_content):
        assert [int(row.key) for row in top] == ids[:insights.TOP_CONTENT]


def test_a_range_without_activity_has_empty_breakdowns(app, mixed):
    period = insights.DateRange(FIRST_DAY - timedelta(days=30), FIRST_DAY - timedelta(days=1))
    roll_up(app)
    for use_rollups in (False, True):
        result = summary(figures(app, period, use_rollups=use_rollups))
        assert (result["totals"], result["topics"], result["needs"], result["top"]) == ((0, 0, 0), {}, {}, [])
