"""Lighthouse on the ambassador's most used pages: accessibility and best practices score 100.

The feed, the share panel (signed in as an ambassador: the session cookie
goes to Lighthouse as a header) and the sign-in page, with Lighthouse's
default phone profile. Performance is a timing, so it stays out of tests:
benchmarks/lighthouse.py measures it under gunicorn (docs/benchmarks.md).
One Lighthouse run per page, only these two categories, to keep this short.
"""

from __future__ import annotations

import pytest

from advocacy.models import Role
from browser import LIGHTHOUSE, lighthouse, live_server, needs
from test_personal_feed import choose, publish, world  # noqa: F401  (fixture)

pytestmark = needs(LIGHTHOUSE)

CATEGORIES = ["accessibility", "best-practices"]


@pytest.fixture
def ambassador_with_a_feed(app, client, auth, world):
    needs_by_key, topics = world
    user = auth.login_as(Role.AMBASSADOR, language="fr")
    choose(app, user, needs=[needs_by_key["career"]], topics=[topics["Energy"]])
    content_ids = [publish(app, f"Solar roofs for the town hall, part {n}", topics=[topics["Energy"]],
                           needs=[needs_by_key["career"]], highlighted=n == 0) for n in range(3)]
    return {"Cookie": f"session={client.get_cookie('session').value}"}, content_ids[0]


def test_the_feed_the_share_panel_and_sign_in_score_100(app, ambassador_with_a_feed):
    cookie, content_id = ambassador_with_a_feed
    with live_server(app) as base:
        pages = {"/": cookie, f"/content/{content_id}/share": cookie, "/login": None}
        results = {path: lighthouse(base + path, CATEGORIES, headers) for path, headers in pages.items()}
    assert [result["url"] for result in results.values()] == [base + path for path in pages]  # not sent away
    assert {path: result["scores"] for path, result in results.items()} == {
        path: {"accessibility": 1, "best-practices": 1} for path in pages
    }, {path: result["failing"] for path, result in results.items()}
