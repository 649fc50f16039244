"""The ambassador's personal feed: published content ranked by fit and freshness.

The score of a content for one person, computed in SQL at query time:

    score = 3 × (needs of the content that the person chose)
          + 2 × (topics of the content that the person follows)
          + 2   if the content is a highlight of the week
          + freshness: 3 if published in the last 2 days, 2 in the last 7,
                       1 in the last 30, else 0

Ties go to the newest. Only content visible to ambassadors now (published,
not expired, not archived) is ranked; what the person dismissed, or shared
under their name, is left out. Nothing here is stored: the ranking is a pure
function of the person's own choices and the content's times, which is what
"why you see this" explains.

The page ranks a bounded set of candidates, so that its cost does not grow
with the archive: the ``CANDIDATES`` newest contents the person can still
share (read backwards along the publish_at index, each one's exclusions
looked up by key) and the newest highlights. Older content stays in the archive
but is no longer suggested; within the candidates the order is the score's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    BindParameter,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from ..models import Content, Dismissal, Need, Topic, ambassador_needs, ambassador_topics
from ..models.content import content_needs, content_topics, topic_label
from .contents import visible_to_ambassadors

NEED_WEIGHT = 3
TOPIC_WEIGHT = 2
HIGHLIGHT_BONUS = 2
FRESHNESS = ((timedelta(days=2), 3), (timedelta(days=7), 2), (timedelta(days=30), 1))
PAGE_SIZE = 10
# How many of the newest shareable contents a page ranks (besides the
# highlights): 20 pages, well past what anyone reads, and a fixed cost.
CANDIDATES = 200
# How many of the newest highlights are candidates too, whatever their age:
# curation allows 3 visible at once (contents.highlight_conflicts); data that
# breaks the rule (imported, generated) must not make every page rank it all.
HIGHLIGHTS = 10

# Other areas add conditions that hide a content from one person's feed,
# e.g. sharing: "already shared under their name" (function(user_id) -> SQL),
# through ``exclude``, which also records the same rule for many people at once.
EXCLUSIONS: list = []
# The same rules as pairs: function(user_ids, content_ids) -> SELECT of the
# (user id, content id) pairs hidden, for the digest's batches (published_between_many).
EXCLUDED_PAIRS: list = []


def exclude(condition, pairs) -> None:
    """Register a rule that hides contents from a person, in both forms: ``condition(user_id)`` (SQL, true
    where the content stays) and ``pairs(user_ids, content_ids)`` (the pairs it hides). One call, so that
    the feed and the digest's batches never apply different rules (tests/test_digest_batch.py compares them)."""
    EXCLUSIONS.append(condition)
    EXCLUDED_PAIRS.append(pairs)


@dataclass(frozen=True, slots=True)
class Shown:
    """What a card shows of a content: its columns, read as plain values (no ORM object to build)."""

    id: int
    title: str
    summary: str | None
    image_sha256: str | None
    target_url: str
    highlighted: bool
    publish_at: datetime
    updated_at: datetime  # moved by every save that changes it or its wordings (content_revisions.record)
    created_at: datetime  # dates the entry's stable id in the Atom feed of suggestions


_SHOWN_COLUMNS = [getattr(Content, name) for name in Shown.__slots__]


@dataclass(frozen=True, slots=True)
class Reason:
    """A need or a topic of the person's that a content matches, named in both languages."""

    id: int
    name_fr: str | None
    name_en: str | None
    key: str | None = None  # a need's stable key (the API names needs by it); a topic has none

    def label(self, language: str) -> str:
        # A need has both names; a topic may have one, and then shows it in either language.
        return topic_label(self.name_fr, self.name_en, language)


@dataclass
class Suggestion:
    content: Shown
    score: int
    needs: list[Reason]  # why: the person's needs this content serves
    topics: list[Reason]  # why: the person's topics it is about


@dataclass
class Page:
    suggestions: list[Suggestion]
    page: int
    has_next: bool


def fit(user_id: int | BindParameter[int]):
    """SQL: how many of the content's needs and topics are the person's (0: nothing in common)."""
    need_matches, topic_matches = _matches(user_id)
    return need_matches + topic_matches


def _matches(user_id: int | BindParameter[int], content_id=Content.id):
    """SQL: per need and per topic, how many the content has in common with the person's (``content_id``:
    the column the counts follow, the contents table's or a subquery's)."""
    need_matches = (
        select(func.count()).select_from(content_needs)
        .join(ambassador_needs, and_(ambassador_needs.c.need_id == content_needs.c.need_id,
                                     ambassador_needs.c.user_id == user_id))
        .where(content_needs.c.content_id == content_id).scalar_subquery()
    )
    topic_matches = (
        select(func.count()).select_from(content_topics)
        .join(ambassador_topics, and_(ambassador_topics.c.topic_id == content_topics.c.topic_id,
                                      ambassador_topics.c.user_id == user_id))
        .where(content_topics.c.content_id == content_id).scalar_subquery()
    )
    return need_matches, topic_matches


def _score(user_id, fresh_since: Sequence, content=Content.__table__.c):
    """``fresh_since``: per FRESHNESS step, the instant from which a content earns its points.
    ``content``: the columns id, publish_at and highlighted are read from (the table's, or a subquery's)."""
    need_matches, topic_matches = _matches(user_id, content.id)
    freshness = case(*((content.publish_at >= since, points)
                       for since, (_age, points) in zip(fresh_since, FRESHNESS, strict=True)), else_=0)
    highlight = case((content.highlighted, HIGHLIGHT_BONUS), else_=0)
    return NEED_WEIGHT * need_matches + TOPIC_WEIGHT * topic_matches + highlight + freshness


def _fresh_since(now: datetime) -> list[datetime]:
    return [now - age for age, _points in FRESHNESS]


def _shareable_by(user_id, now):
    """Visible now, not dismissed by this person, and not excluded by another area."""
    dismissed = exists().where(Dismissal.user_id == user_id, Dismissal.content_id == Content.id)
    return [visible_to_ambassadors(now), ~dismissed, *(exclude(user_id) for exclude in EXCLUSIONS)]


def feed_query(user_id: int, now: datetime):
    """Every shareable content ranked (unbounded: callers narrow it)."""
    score = _score(user_id, _fresh_since(now)).label("score")
    return select(Content, score).where(*_shareable_by(user_id, now)).order_by(
        score.desc(), Content.publish_at.desc(), Content.id.desc())


def _candidates(user_id, now, newest: int, highlights: int):
    """The contents a page ranks, with what their score reads: the newest shareable ones, and the
    newest highlights (curation allows 3 visible at once; the bound holds whatever the data says)."""
    shareable = _shareable_by(user_id, now)
    newest_first = (Content.publish_at.desc(), Content.id.desc())
    arms = [select(Content.id, Content.publish_at, Content.highlighted).where(*where).order_by(*newest_first)
            .limit(bindparam(name, value, literal_execute=True)).subquery(name)
            for name, value, where in (("newest", newest, shareable),
                                       ("highlights", highlights, [Content.highlighted.is_(True), *shareable]))]
    # UNION, not UNION ALL: a recent highlight is in both arms, and must be ranked once.
    return union(*(select(arm) for arm in arms)).subquery("candidates")


# The page's three statements are built once per process with bound
# parameters, not per request: building SQLAlchemy statements (the score's
# subqueries, the exclusions) cost more CPU than running them. The values go
# in as parameters; the compiled SQL comes from SQLAlchemy's cache. The
# bounds (CANDIDATES, HIGHLIGHTS) are written into the SQL as numbers: on
# PostgreSQL a prepared statement's generic plan guesses a LIMIT it cannot
# see, and sorted the whole archive when it did.
_USER: BindParameter[int] = bindparam("user_id")
_NOW = bindparam("now", type_=Content.publish_at.type)
_FRESH_SINCE = [bindparam(f"fresh_since_{n}", type_=Content.publish_at.type) for n in range(len(FRESHNESS))]


@cache
def _page_statement(exclusions: tuple, newest: int, highlights: int):
    """Built for the exclusions registered and the bounds set when first asked (the key: an area added
    later, or another bound, gets its own).

    Ranked on the candidates' ids, times and highlight flags alone; only the
    page's contents are then read whole, each by its primary key (joining the
    candidates to the whole table, PostgreSQL read all of it)."""
    candidates = _candidates(_USER, _NOW, newest, highlights)
    score = _score(_USER, _FRESH_SINCE, candidates.c).label("score")
    ranked = (select(candidates.c.id, candidates.c.publish_at, score)
              .order_by(score.desc(), candidates.c.publish_at.desc(), candidates.c.id.desc())
              .offset(bindparam("offset")).limit(bindparam("limit")).subquery("ranked"))
    return (select(*_SHOWN_COLUMNS, ranked.c.score).join(ranked, ranked.c.id == Content.id)
            .order_by(ranked.c.score.desc(), ranked.c.publish_at.desc(), ranked.c.id.desc()))


_SINCE = bindparam("since", type_=Content.publish_at.type)
_UNTIL = bindparam("until", type_=Content.publish_at.type)


@cache
def _published_between_statement(exclusions: tuple, fitting_only: bool):
    """Built once per process, as the page's: the digest runs it once per recipient."""
    score = _score(_USER, _FRESH_SINCE).label("score")
    statement = select(Content).where(*_shareable_by(_USER, _NOW), Content.publish_at > _SINCE,
                                      Content.publish_at <= _UNTIL)
    if fitting_only:
        statement = statement.where(or_(Content.highlighted.is_(True), fit(_USER) > 0))
    return statement.order_by(Content.highlighted.desc(), score.desc(), Content.publish_at.desc(),
                              Content.id.desc()).limit(bindparam("limit"))


def published_between(session: Session, user_id: int, now: datetime, since: datetime, until: datetime, *,
                      fitting_only: bool, limit: int) -> list[Content]:
    """The person's shareable contents published in (since, until]: the highlights first, then the rest,
    each in the feed's order; with ``fitting_only``, only highlights and what fits their needs or topics."""
    params = {"user_id": user_id, "now": now, "since": since, "until": until, "limit": limit,
              **{bind.key: moment for bind, moment in zip(_FRESH_SINCE, _fresh_since(now), strict=True)}}
    return list(session.scalars(_published_between_statement(tuple(EXCLUSIONS), fitting_only), params))


def published_between_many(session: Session, user_ids: Sequence[int], now: datetime, since: datetime,
                           until: datetime, *, fitting_only: bool, limit: int) -> dict[int, list[Content]]:
    """``published_between`` for many people at once: the same contents in the same order for each.

    The digest's ranking, batched: ranking in SQL for one person at a time
    cost the database the needs-and-topics matching of the whole week per
    person (docs/benchmarks.md). Here four statements serve the batch: the
    window's contents, their needs and topics, the people's needs and
    topics, and the (person, content) pairs hidden by a dismissal or an
    exclusion; the score is then computed in Python, with the same weights.
    The window is a week of contents: small, read whole.
    """
    window = list(session.scalars(select(Content).where(
        visible_to_ambassadors(now), Content.publish_at > since, Content.publish_at <= until)))
    if not window or not user_ids:
        return {user_id: [] for user_id in user_ids}
    content_ids = [content.id for content in window]
    content_tags = _tags(session, content_needs.c.content_id, content_needs.c.need_id,
                         content_topics.c.content_id, content_topics.c.topic_id, content_ids)
    person_tags = _tags(session, ambassador_needs.c.user_id, ambassador_needs.c.need_id,
                        ambassador_topics.c.user_id, ambassador_topics.c.topic_id, list(user_ids))
    hidden = _hidden_pairs(session, list(user_ids), content_ids)
    by_id = {content.id: content for content in window}
    # Inverted: (_NEED or _TOPIC, its id) -> the window's contents that carry it, so that a
    # person's matches are counted from their own few needs and topics, not content by content.
    carrying: dict[tuple[int, int], list[int]] = {}
    for (content_id, kind), tags in content_tags.items():
        for tag in tags:
            carrying.setdefault((kind, tag), []).append(content_id)
    highlights = {content.id for content in window if content.highlighted}
    # What a content's score and place owe to it alone (highlight, freshness, time, id), read once:
    # a person adds only their matches.
    fresh_since = _fresh_since(now)
    own = {content.id: (content.highlighted, _own_points(content, fresh_since), content.publish_at, content.id)
           for content in window}
    ranked: dict[int, list[Content]] = {}
    for user_id in user_ids:
        matches: dict[int, list[int]] = {}  # content id -> [need matches, topic matches]
        for kind in (_NEED, _TOPIC):
            for tag in person_tags.get((user_id, kind), ()):
                for content_id in carrying.get((kind, tag), ()):
                    matches.setdefault(content_id, [0, 0])[kind] += 1
        # Fitting only: the highlights and what shares a need or a topic with the person.
        candidates = highlights.union(matches) if fitting_only else by_id.keys()
        keys = []
        for content_id in candidates:
            if (user_id, content_id) in hidden:
                continue
            highlighted, points, publish_at, _id = own[content_id]
            need_matches, topic_matches = matches.get(content_id, (0, 0))
            score = NEED_WEIGHT * need_matches + TOPIC_WEIGHT * topic_matches + points
            # The SQL order: highlights first, then score, publish_at and id, each descending.
            keys.append((highlighted, score, publish_at, content_id))
        keys.sort(reverse=True)
        ranked[user_id] = [by_id[key[-1]] for key in keys[:limit]]
    return ranked


def _own_points(content: Content, fresh_since: Sequence[datetime]) -> int:
    """The part of ``_score`` that depends on the content alone: its highlight and its freshness
    (keep the two in step; tests/test_digest_batch.py compares them)."""
    assert content.publish_at is not None  # visible contents are published
    freshness = next((points for since, (_age, points) in zip(fresh_since, FRESHNESS, strict=True)
                      if content.publish_at >= since), 0)
    return (HIGHLIGHT_BONUS if content.highlighted else 0) + freshness


def _tags(session: Session, need_owner, need, topic_owner, topic, owners: list[int]) -> dict[tuple[int, int],
                                                                                              frozenset[int]]:
    """(owner id, _NEED or _TOPIC) -> the need or topic ids of each owner (contents, or people), one statement."""
    found: dict[tuple[int, int], set[int]] = {}
    wanted: BindParameter[list[int]] = bindparam("owners", expanding=True)
    statement = union_all(select(need_owner, literal(_NEED), need).where(need_owner.in_(wanted)),
                          select(topic_owner, literal(_TOPIC), topic).where(topic_owner.in_(wanted)))
    for owner, kind, tag in session.execute(statement, {"owners": owners}):
        found.setdefault((owner, kind), set()).add(tag)
    return {key: frozenset(tags) for key, tags in found.items()}


def _hidden_pairs(session: Session, user_ids: list[int], content_ids: list[int]) -> set[tuple[int, int]]:
    """The (person, content) pairs a dismissal or a registered exclusion hides, one statement."""
    users: BindParameter[list[int]] = bindparam("users", expanding=True)
    contents: BindParameter[list[int]] = bindparam("contents", expanding=True)
    dismissed = select(Dismissal.user_id, Dismissal.content_id).where(
        Dismissal.user_id.in_(users), Dismissal.content_id.in_(contents))
    statement = union(dismissed, *(pairs(users, contents) for pairs in EXCLUDED_PAIRS))
    return {(user_id, content_id) for user_id, content_id in session.execute(
        statement, {"users": user_ids, "contents": content_ids})}


def page(session: Session, user_id: int, now: datetime, number: int = 1, size: int = PAGE_SIZE) -> Page:
    number = max(1, number)
    params = {"user_id": user_id, "now": now, "offset": (number - 1) * size,
              "limit": size + 1,
              **{bind.key: since for bind, since in zip(_FRESH_SINCE, _fresh_since(now), strict=True)}}
    rows = session.execute(_page_statement(tuple(EXCLUSIONS), CANDIDATES, HIGHLIGHTS), params).all()
    contents = [(Shown(*row[:-1]), row[-1]) for row in rows[:size]]
    needs, topics = _why(session, user_id, [content.id for content, _score in contents])
    suggestions = [Suggestion(content, score_value, needs.get(content.id, []), topics.get(content.id, []))
                   for content, score_value in contents]
    return Page(suggestions, number, has_next=len(rows) > size)


_SHOWN: BindParameter[list[int]] = bindparam("content_ids", expanding=True)
_NEED, _TOPIC = 0, 1
# The needs in their list's order, the topics as Content.topics orders them.
_WHY = union_all(
    select(content_needs.c.content_id, literal(_NEED).label("kind"), Need.id, Need.label_fr, Need.label_en,
           Need.position, Need.key)
    .join(Need, Need.id == content_needs.c.need_id)
    .join(ambassador_needs, and_(ambassador_needs.c.need_id == content_needs.c.need_id,
                                 ambassador_needs.c.user_id == _USER))
    .where(content_needs.c.content_id.in_(_SHOWN)),
    select(content_topics.c.content_id, literal(_TOPIC).label("kind"), Topic.id, Topic.name_fr, Topic.name_en,
           literal(0).label("position"), literal(None, String).label("key"))
    .join(Topic, Topic.id == content_topics.c.topic_id)
    .join(ambassador_topics, and_(ambassador_topics.c.topic_id == content_topics.c.topic_id,
                                  ambassador_topics.c.user_id == _USER))
    .where(content_topics.c.content_id.in_(_SHOWN)),
).order_by("content_id", "kind", "position", "id")


def _why(session: Session, user_id: int, content_ids: list[int]) -> tuple[dict[int, list[Reason]],
                                                                          dict[int, list[Reason]]]:
    """Per content shown: the person's needs it serves and topics it is about (one statement, indexed)."""
    needs: dict[int, list[Reason]] = {}
    topics: dict[int, list[Reason]] = {}
    if not content_ids:
        return needs, topics
    for content_id, kind, reason_id, name_fr, name_en, _position, key in session.execute(
            _WHY, {"user_id": user_id, "content_ids": content_ids}):
        (needs if kind == _NEED else topics).setdefault(content_id, []).append(
            Reason(reason_id, name_fr, name_en, key))
    return needs, topics


def restore(session: Session, user_id: int, content_id: int) -> None:
    """Undo "not for me": the content may be suggested again. Idempotent."""
    session.execute(delete(Dismissal).where(Dismissal.user_id == user_id, Dismissal.content_id == content_id))


def dismiss(session: Session, user_id: int, content_id: int, now: datetime) -> bool:
    """Hide a content from this person's feed. Idempotent; False if no such visible content."""
    visible = session.scalar(select(literal(True)).where(Content.id == content_id, visible_to_ambassadors(now)))
    if not visible:
        return False
    if session.get(Dismissal, (user_id, content_id)) is None:
        session.add(Dismissal(user_id=user_id, content_id=content_id, at=now))
        session.flush()
    return True
