"""`advocacy demo-data`: a large, realistic and consistent data set, loaded in bulk.

For load tests and benchmarks (``benchmarks/``), not for a program's first
days (that is ``services/demo.py``, a handful of hand-written rows). The
rows are what the app itself records: ambassadors onboarded with needs,
topics, networks and consent records (membership for all; share
attribution, digest, named thanks for some) naming the version and digest
of the text in the person's language;
contents (some approved from a feed's items) with wordings for every
network and a tracked link for every link network, the share sheet's too;
share events on or after the content's publication, attributed to the
person only when they gave the share-attribution consent (the rule of
``sharing.record_share``); and click-day rows.

It refuses a database that already has ambassadors or contents: generated
people and numbers mixed into a real program could never be told apart
again, so there is no way to force it. Same seed, same sizes, same day:
the same data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    AmbassadorProfile,
    ClickCount,
    ConsentChannel,
    ConsentRecord,
    ConsentText,
    Content,
    Department,
    Feed,
    FeedItem,
    ItemStatus,
    Purpose,
    Role,
    ShareEvent,
    ShareText,
    Topic,
    TrackedLink,
    User,
    ambassador_needs,
    ambassador_topics,
)
from ..models.content import content_needs, content_topics
from . import consent, taxonomy
from .contents import MAX_HIGHLIGHTS
from .demo_data_bulk import advance_sequences, bulk
from .errors import ServiceError
from .networks import LINK_NETWORKS, NETWORKS

ATTRIBUTION_SHARE = 0.6  # of ambassadors who let their shares carry their name
FROM_FEED_SHARE = 0.5  # of contents approved from a feed item rather than written by hand
# How often each link network is shared to, in LINK_NETWORKS order (the share sheet last).
NETWORK_WEIGHTS = (25, 10, 12, 30, 8, 5, 10)
TOPICS = (("Climat", "Climate"), ("Emploi", "Jobs"), ("Santé", "Health"), ("Éducation", "Education"),
          ("Logement", "Housing"), ("Transports", "Transport"), ("Culture", "Culture"), ("Sport", "Sport"),
          ("Numérique", "Digital"), ("Solidarité", "Solidarity"), ("Recherche", "Research"),
          ("Vie locale", "Local life"))
DEPARTMENTS = ("Communication", "Research", "Sales", "Engineering", "Human resources", "Finance", "Legal",
               "Customer care", "Operations", "Marketing", "Logistics", "Training")
# Which consents people give, and how many: membership is everyone's (the charter).
OPTIONAL_CONSENTS = ((Purpose.SHARE_ATTRIBUTION, ATTRIBUTION_SHARE), (Purpose.DIGEST, 0.5),
                     (Purpose.NAMED_THANKS, 0.3))
LANGUAGES = ("fr", "en")
FEED_URL = "https://blog.demo.example/feed.xml"
DEMO_DOMAIN = "demo.example"


class DemoDataError(ServiceError):
    area = "demo_data"


@dataclass(frozen=True)
class Sizes:
    ambassadors: int
    contents: int
    shares: int
    days: int
    clicks: int | None = None  # click-day rows; None: twice the shares

    def check(self) -> None:
        if self.ambassadors < 1 or self.contents < 1 or self.days < 1 or self.shares < 0:
            raise DemoDataError("bad_size")


def _refuse_unless_empty(session: Session) -> None:
    ambassadors = session.scalar(select(func.count(User.id)).where(User.role == Role.AMBASSADOR)) or 0
    contents = session.scalar(select(func.count(Content.id))) or 0
    if ambassadors or contents:
        raise DemoDataError("not_empty", ambassadors=ambassadors, contents=contents)


def _next_id(session: Session, column) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def _topics(session: Session) -> list[int]:
    known = {topic.name_en: topic.id for topic in session.scalars(select(Topic))}
    return [known.get(name_en) or taxonomy.add_topic(session, name_fr=name_fr, name_en=name_en).id
            for name_fr, name_en in TOPICS]


def _departments(session: Session, rng: random.Random) -> list[int]:
    known = {department.name: department for department in session.scalars(select(Department))}
    for name in DEPARTMENTS:
        if name not in known:
            known[name] = Department(name=name, headcount=rng.randint(30, 900))
            session.add(known[name])
    session.flush()
    return [known[name].id for name in DEPARTMENTS]


def _current_texts(session: Session, purpose: Purpose) -> dict[str, ConsentText]:
    """The text a person reads, by their language, as the consent pages pick it."""
    texts = {language: consent.current_text(session, purpose, language) for language in LANGUAGES}
    if any(text is None for text in texts.values()):
        raise DemoDataError("no_consent_text", purpose=purpose.value)
    return {language: text for language, text in texts.items() if text is not None}


def _feed(session: Session, now: datetime) -> int:
    feed = session.scalar(select(Feed).where(Feed.url == FEED_URL))
    if feed is None:
        feed = Feed(url=FEED_URL, title="Demo blog", site_url=f"https://blog.{DEMO_DOMAIN}/", created_at=now)
        session.add(feed)
        session.flush()
    return feed.id


def _published_at(day: date, rng: random.Random, now: datetime) -> datetime:
    moment = datetime.combine(day, time(rng.randint(6, 18), rng.choice((0, 15, 30, 45))), UTC)
    return min(moment, now)


def generate(session: Session, sizes: Sizes, *, now: datetime, password_hash: str,
             seed: int = 6) -> dict[str, int]:
    """Load the data set, ending on ``now``'s day; returns the rows written, by table.

    Every ambassador gets ``password_hash`` (hashed once by the caller: hashing
    thousands of passwords would be most of the time).
    """
    sizes.check()
    _refuse_unless_empty(session)
    rng = random.Random(seed)
    today = now.date()
    start = today - timedelta(days=sizes.days - 1)
    counts: dict[str, int] = {}
    needs = [need.id for need in taxonomy.ensure_needs(session)]
    topics = _topics(session)
    departments = _departments(session, rng)
    department_weights = [rng.choice((1, 2, 10, 30, 60)) for _ in departments]  # some fall under k
    feed_id = _feed(session, now)
    texts = {purpose: _current_texts(session, purpose)
             for purpose in (Purpose.MEMBERSHIP, *(purpose for purpose, _ in OPTIONAL_CONSENTS))}
    session.flush()

    first_user = _next_id(session, User.id)
    users = range(first_user, first_user + sizes.ambassadors)
    joined = {u: datetime.combine(start - timedelta(days=rng.randint(1, 90)), time(9), UTC) for u in users}
    language = {u: rng.choice(("fr", "fr", "en")) for u in users}
    counts["users"] = bulk(session, User.__table__, (
        (u, f"ambassador{u}@{DEMO_DOMAIN}", f"Ambassador {u}", password_hash, Role.AMBASSADOR, language[u],
         True, joined[u]) for u in users),
        ["id", "email", "name", "password_hash", "role", "language", "active", "created_at"])

    def profiles() -> Iterator[tuple]:
        for u in users:
            networks = sorted(rng.sample(NETWORKS, rng.randint(1, 3)), key=NETWORKS.index)
            yield (u, joined[u], joined[u] + timedelta(hours=1), today + timedelta(days=rng.randint(60, 700)),
                   rng.choices(departments, department_weights)[0], networks,
                   "mastodon.social" if "mastodon" in networks else None)

    counts["ambassador_profiles"] = bulk(session, AmbassadorProfile.__table__, profiles(), [
        "user_id", "joined_at", "onboarded_at", "mandate_ends_on", "department_id", "networks",
        "mastodon_instance"])
    counts["ambassador_needs"] = bulk(session, ambassador_needs, (
        (u, n) for u in users for n in rng.sample(needs, min(2, len(needs)))), ["user_id", "need_id"])
    counts["ambassador_topics"] = bulk(session, ambassador_topics, (
        (u, t) for u in users for t in rng.sample(topics, 3)), ["user_id", "topic_id"])
    given = {Purpose.MEMBERSHIP: set(users)}
    given |= {purpose: {u for u in users if rng.random() < share} for purpose, share in OPTIONAL_CONSENTS}
    attributed = given[Purpose.SHARE_ATTRIBUTION]
    consents = [(u, purpose, True, joined[u], texts[purpose][language[u]].version,
                 texts[purpose][language[u]].sha256, language[u], ConsentChannel.WEB)
                for purpose, people in given.items() for u in users if u in people]
    counts["consent_records"] = bulk(session, ConsentRecord.__table__, consents, [
        "user_id", "purpose", "granted", "at", "text_version", "text_sha256", "language", "channel"])

    first_content = _next_id(session, Content.id)
    content_ids = range(first_content, first_content + sizes.contents)
    published = {c: _published_at(start + timedelta(days=rng.randrange(sizes.days)), rng, now)
                 for c in content_ids}
    # Curation allows MAX_HIGHLIGHTS highlights visible at once (contents.highlight_conflicts) and
    # the generated contents never expire, so only this week's few are highlights: earlier weeks'
    # were taken down by their curators. (The generator marked 2 % of all contents before.)
    this_week = sorted(c for c in content_ids if published[c] > now - timedelta(days=7))
    highlights = set(rng.sample(this_week, min(MAX_HIGHLIGHTS, len(this_week))))
    first_item = _next_id(session, FeedItem.id)
    from_feed = {c: first_item + n for n, c in enumerate(c for c in content_ids if rng.random() < FROM_FEED_SHARE)}
    counts["feed_items"] = bulk(session, FeedItem.__table__, (
        (item, feed_id, f"demo-{c}", f"https://blog.{DEMO_DOMAIN}/{c}", f"Blog post {c}",
         f"https://blog.{DEMO_DOMAIN}/posts/{c}", published[c] - timedelta(hours=3),
         published[c] - timedelta(hours=3), f"<p>Summary of blog post {c}.</p>", "", f"Summary of blog post {c}.",
         [], ItemStatus.APPROVED, published[c] - timedelta(hours=2), published[c] - timedelta(hours=1))
        for c, item in from_feed.items()), [
        "id", "feed_id", "dedupe_key", "guid", "title", "link", "published_at", "updated_at", "summary_html",
        "content_html", "excerpt", "categories", "status", "first_seen_at", "curated_at"])
    counts["contents"] = bulk(session, Content.__table__, (
        (c, f"post-{c}", f"Post number {c}", f"What post {c} is about, in two lines.",
         f"https://blog.{DEMO_DOMAIN}/posts/{c}" if c in from_feed else f"https://www.{DEMO_DOMAIN}/news/{c}",
         from_feed.get(c), published[c], c in highlights, published[c], published[c])
        for c in content_ids), [
        "id", "slug", "title", "summary", "target_url", "feed_item_id", "publish_at", "highlighted", "created_at",
        "updated_at"])
    counts["content_topics"] = bulk(session, content_topics, (
        (c, t) for c in content_ids for t in rng.sample(topics, rng.randint(1, 2))), ["content_id", "topic_id"])
    counts["content_needs"] = bulk(session, content_needs, (
        (c, n) for c in content_ids for n in rng.sample(needs, min(len(needs), rng.randint(1, 2)))),
        ["content_id", "need_id"])
    # Wordings for the networks people choose; the share sheet borrows them (networks.SHARE_SHEET).
    counts["share_texts"] = bulk(session, ShareText.__table__, (
        (c, network, 0, f"Worth a read: post {c}, shared on {network}.") for c in content_ids for network in NETWORKS),
        ["content_id", "network", "position", "text"])
    first_link = _next_id(session, TrackedLink.id)
    links = [(first_link + n, c, network, hashlib.sha256(f"{seed}:{c}:{network}".encode()).hexdigest()[:12],
              published[c]) for n, (c, network) in enumerate((c, network) for c in content_ids
                                                               for network in LINK_NETWORKS)]
    counts["tracked_links"] = bulk(session, TrackedLink.__table__, links,
                                   ["id", "content_id", "network", "code", "created_at"])

    def share_rows() -> Iterator[tuple]:
        written = 0
        while written < sizes.shares:
            c = rng.randrange(first_content, first_content + sizes.contents)
            day = published[c].date() + timedelta(days=int(rng.expovariate(1 / 4)))
            if day > today:  # not yet: drawn again, so today has no pile-up
                continue
            written += 1
            person = rng.randrange(first_user, first_user + sizes.ambassadors)
            yield c, rng.choices(LINK_NETWORKS, NETWORK_WEIGHTS)[0], day, person if person in attributed else None

    counts["share_events"] = bulk(session, ShareEvent.__table__, share_rows(),
                                  ["content_id", "network", "day", "user_id"])
    click_target = 2 * sizes.shares if sizes.clicks is None else sizes.clicks
    days_per_link = 1.07 * click_target / len(links)  # a little over: recent contents are cut at today

    def click_rows() -> Iterator[tuple]:
        written = 0
        for link_id, c, _network, _code, _at in links:
            for offset in range(max(1, int(rng.uniform(0.3, 1.7) * days_per_link))):
                day = published[c].date() + timedelta(days=offset)
                if day > today or written >= click_target:
                    break
                written += 1
                yield link_id, day, rng.randint(0, 12), rng.randint(0, 3)

    counts["click_counts"] = bulk(session, ClickCount.__table__, click_rows(),
                                  ["link_id", "day", "clicks", "previews"])
    advance_sequences(session, ("users", "consent_records", "feed_items", "contents", "share_texts",
                                "tracked_links", "share_events", "departments", "topics", "feeds"))
    return counts
