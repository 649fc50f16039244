"""The personal feed and the share panel cost the same whatever the archive holds.

Statements are counted per request with an engine listener (no timings): the
count must not change when the archive grows from 10 to 200 contents, and
stays at half of what these pages ran before (feed 15, panel 9).
"""

from datetime import timedelta

import pytest
from sqlalchemy import event

from advocacy import jobs
from advocacy.db import get_engine, get_session
from advocacy.models import Dismissal, Purpose, Role, ShareEvent, utcnow
from advocacy.services import contents, personal_feed
from test_consent import grant
from test_personal_feed import choose, publish, ranked_titles, world  # noqa: F401

# session with profile, consents, ranked page, why (needs and topics, one UNION ALL), latest thanks;
# the cards are kept rendered (kept_html.py): their wordings and links are read only to render one
FEED_STATEMENTS = 5
PANEL_STATEMENTS = 3  # session with profile, consents, content (its body kept: texts and links read to render it)


@pytest.fixture
def app_config():
    # As in production: the milestones' row (computed by the shared-figures job) is reread once a minute.
    return {"MILESTONES_CACHE_SECONDS": 60}


def statements_of(app, client, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm-up, as a running server is
    seen: list[str] = []
    with app.app_context():
        engine = get_engine()

    def count(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def add_contents(app, count: int, needs, topics, user_id: int) -> list[int]:
    """``count`` published contents; the person shared every third and dismissed every fifth."""
    now = utcnow()
    with app.app_context():
        session = get_session()
        ids = []
        for n in range(count):
            draft = contents.ContentDraft(
                title=f"Post {n} {now.timestamp()}", summary="", target_url=f"https://example.org/{n}",
                publish_at=now - timedelta(hours=n + 2), expires_at=None, highlighted=False,
                need_ids=[needs[n % len(needs)]], topic_ids=[topics[n % len(topics)]], texts={"x": ["Read"]})
            ids.append(contents.create_content(session, draft, None, now).id)
        for n, content_id in enumerate(ids):
            if n % 3 == 0:
                session.add(ShareEvent(content_id=content_id, network="x", day=now.date(), user_id=user_id))
            if n % 5 == 0:
                session.add(Dismissal(user_id=user_id, content_id=content_id, at=now))
        session.commit()
        return ids


def test_feed_and_panel_statements_do_not_grow_with_the_archive(app, client, auth, world):
    needs, topics = world
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    choose(app, user, needs=[needs["career"]], topics=[topics["Energy"]])
    need_ids, topic_ids = list(needs.values()), list(topics.values())
    panel_content = publish(app, "The one to share", needs=[needs["career"]])
    add_contents(app, 9, need_ids, topic_ids, user.id)
    jobs.run_job(app, jobs.compute_shared_figures, need_lease=True)  # the milestones' row, as in production
    small = (statements_of(app, client, "/"), statements_of(app, client, f"/content/{panel_content}/share"))
    add_contents(app, 190, need_ids, topic_ids, user.id)
    large = (statements_of(app, client, "/"), statements_of(app, client, f"/content/{panel_content}/share"))
    assert [len(s) for s in small] == [len(s) for s in large] == [FEED_STATEMENTS, PANEL_STATEMENTS], (
        small, large)


def test_page_fifty_costs_what_page_one_costs(app, client, auth, world):
    needs, topics = world
    user = auth.login_as(Role.AMBASSADOR, language="en")
    add_contents(app, 60, list(needs.values()), list(topics.values()), user.id)
    assert len(statements_of(app, client, "/?page=50")) <= len(statements_of(app, client, "/"))


def test_only_the_newest_shareable_contents_and_the_highlights_are_ranked(app, auth, world, monkeypatch):
    needs, _topics = world
    user = auth.create_user(Role.AMBASSADOR)
    choose(app, user, needs=[needs["career"]])
    monkeypatch.setattr(personal_feed, "CANDIDATES", 2)
    publish(app, "Old highlight", highlighted=True, hours_ago=24 * 90)
    publish(app, "Old, my need", needs=[needs["career"]], hours_ago=24 * 60)  # outside the window
    publish(app, "Older", hours_ago=5)
    shared = publish(app, "Shared by me", hours_ago=2)
    publish(app, "Newest", hours_ago=1)
    with app.app_context():
        session = get_session()
        session.add(ShareEvent(content_id=shared, network="x", day=utcnow().date(), user_id=user.id))
        session.commit()
    # What the person shared takes no place in the window: "Older" is still a candidate.
    assert ranked_titles(app, user) == ["Newest", "Older", "Old highlight"]


def test_only_the_newest_highlights_are_candidates_and_each_is_ranked_once(app, auth, world, monkeypatch):
    # Curation allows 3 highlights visible at once; data that breaks the rule (imported, generated)
    # must not make every page rank all of them.
    user = auth.create_user(Role.AMBASSADOR)
    monkeypatch.setattr(personal_feed, "CANDIDATES", 1)
    monkeypatch.setattr(personal_feed, "HIGHLIGHTS", 2)
    publish(app, "Oldest highlight", highlighted=True, hours_ago=24 * 120)
    publish(app, "Old highlight", highlighted=True, hours_ago=24 * 90)
    publish(app, "Older", hours_ago=3)
    publish(app, "Newest, a highlight", highlighted=True, hours_ago=1)  # in both bounds: ranked once
    assert ranked_titles(app, user) == ["Newest, a highlight", "Old highlight"]
