"""The digest ranks a batch of people at once: the same contents, in the same order, as the per-person query.

The per-person SQL query (personal_feed.published_between) is the reference;
the batch (published_between_many, digest.contents_for_batch) must agree
with it for every person, on data that exercises every rule: needs, topics,
highlights, dismissals, attributed and anonymous shares, drafts, archived,
expired and future contents, the window's edges, freshness steps and ties.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from advocacy import mailings
from advocacy.db import get_engine, get_session
from advocacy.models import (
    Content,
    Dismissal,
    Purpose,
    Role,
    Topic,
    ambassador_needs,
    ambassador_topics,
)
from advocacy.models.content import content_needs, content_topics
from advocacy.models.sharing import ShareEvent
from advocacy.services import digest, personal_feed, taxonomy
from digest_helpers import BASE_URL, grant, next_monday, publish

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)
UNTIL = NOW - timedelta(hours=2)  # the slot: contents published after it are next week's
SINCE = UNTIL - timedelta(days=7)


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE_URL}


def _varied_data(session, people: list[int], seed: int) -> None:
    """Contents, tags, dismissals and shares drawn at random, with every edge case placed on purpose."""
    rng = random.Random(seed)
    need_ids = [need.id for need in taxonomy.ensure_needs(session)]
    topics = [Topic(name_en=f"Topic {seed}-{n}", name_fr=f"Sujet {seed}-{n}") for n in range(5)]
    session.add_all(topics)
    session.flush()
    topic_ids = [topic.id for topic in topics]
    moments = [
        SINCE, SINCE + timedelta(microseconds=1), UNTIL, UNTIL + timedelta(minutes=1),  # the window's edges
        NOW - timedelta(days=2), NOW - timedelta(days=7),  # freshness steps, exactly
        NOW + timedelta(hours=1), SINCE - timedelta(days=3),  # future; last week
        SINCE + timedelta(days=3),  # several contents at this instant: ties broken by id
    ]
    contents = []
    for n in range(70):
        at = rng.choice(moments) if n % 3 == 0 else SINCE + timedelta(seconds=rng.randrange(int((UNTIL - SINCE)
                                                                                                .total_seconds())))
        content = Content(slug=f"c-{seed}-{n}", title=f"Content {n}", target_url=f"https://example.org/{seed}/{n}",
                          publish_at=at, highlighted=rng.random() < 0.15)
        kind = n % 10
        if kind == 1:
            content.publish_at = None  # a draft
        elif kind == 2:
            content.archived_at = NOW - timedelta(hours=1)
        elif kind == 3:
            content.expires_at = rng.choice([NOW, NOW - timedelta(hours=1), NOW + timedelta(hours=1)])
        contents.append(content)
    session.add_all(contents)
    session.flush()
    for content in contents:
        for need_id in rng.sample(need_ids, rng.randrange(3)):
            session.execute(insert(content_needs).values(content_id=content.id, need_id=need_id))
        for topic_id in rng.sample(topic_ids, rng.randrange(3)):
            session.execute(insert(content_topics).values(content_id=content.id, topic_id=topic_id))
    for user_id in people:
        for need_id in rng.sample(need_ids, rng.randrange(4)):
            session.execute(insert(ambassador_needs).values(user_id=user_id, need_id=need_id))
        for topic_id in rng.sample(topic_ids, rng.randrange(4)):
            session.execute(insert(ambassador_topics).values(user_id=user_id, topic_id=topic_id))
        for content in rng.sample(contents, 6):
            session.add(Dismissal(user_id=user_id, content_id=content.id, at=NOW))
        for content in rng.sample(contents, 6):
            # Anonymous shares (no consent to attribution) hide nothing; attributed ones do.
            session.add(ShareEvent(content_id=content.id, network="x", day=NOW.date(),
                                   user_id=user_id if rng.random() < 0.7 else None))
    session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_batch_ranks_as_the_per_person_query_does(app, auth, seed):
    people = [auth.create_user(Role.AMBASSADOR, email=f"p{seed}-{n}@example.org").id for n in range(10)]
    with app.app_context():
        session = get_session()
        _varied_data(session, people, seed)
        session.commit()
        compared = 0
        for fitting_only in (True, False):
            for limit in (3, 8, 100):
                batch = personal_feed.published_between_many(session, people, NOW, SINCE, UNTIL,
                                                             fitting_only=fitting_only, limit=limit)
                assert set(batch) == set(people)
                for user_id in people:
                    alone = personal_feed.published_between(session, user_id, NOW, SINCE, UNTIL,
                                                             fitting_only=fitting_only, limit=limit)
                    assert [c.id for c in batch[user_id]] == [c.id for c in alone], (fitting_only, limit, user_id)
                    compared += len(alone)
        assert compared > 300  # the data gave each rule something to decide

        week = digest.Week(start=SINCE.date(), slot=UNTIL)
        highlights = digest.week_highlight_count(session, NOW, week)
        batch_contents = digest.contents_for_batch(session, people, NOW, week, highlights_at_most=highlights)
        for user_id in people:
            alone = digest.content_for(session, user_id, NOW, week, highlights_at_most=highlights)
            mine = batch_contents[user_id]
            assert [c.id for c in mine.highlights] == [c.id for c in alone.highlights]
            assert [c.id for c in mine.posts] == [c.id for c in alone.posts]


def test_an_empty_week_or_batch_gives_empty_digests(app, auth):
    user = auth.create_user(Role.AMBASSADOR, email="alone@example.org")
    with app.app_context():
        session = get_session()
        assert personal_feed.published_between_many(session, [user.id], NOW, SINCE, UNTIL, fitting_only=True,
                                                    limit=5) == {user.id: []}
        assert personal_feed.published_between_many(session, [], NOW, SINCE, UNTIL, fitting_only=True,
                                                     limit=5) == {}


def test_the_job_reads_a_batch_in_the_same_statements_however_many_people(app, auth):
    """The ranking's statements are per batch, not per person: twice the people, the same count."""
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)

    def statements_for(count: int, prefix: str) -> int:
        for n in range(count):
            grant(app, auth.create_user(Role.AMBASSADOR, email=f"{prefix}{n}@example.org"), Purpose.DIGEST)
        with app.app_context():
            executed = [0]

            def count_one(*_args):
                executed[0] += 1

            event.listen(get_engine(), "before_cursor_execute", count_one)
            try:
                assert mailings.send_digests(now=now).queued == count
            finally:
                event.remove(get_engine(), "before_cursor_execute", count_one)
        return executed[0]

    first = statements_for(3, "a")
    assert statements_for(6, "b") == first  # the first 3 had theirs: only the 6 new ones are due
