"""Demo data for `make run`: loaded once, only into an empty database.

The demo passwords are public on purpose (they are printed at every start):
this data is for trying Relais on one's own machine, never for production.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content_feeds.samples import OPML_PATH

from ..models import ClickCount, ConsentText, Content, Feed, FeedItem, Purpose, Role, ShareEvent, User
from . import (
    accounts,
    ambassadors,
    clock,
    consent,
    contents,
    feeds,
    ingest,
    insights_rollup,
    onboarding,
    queue,
    sharing,
    taxonomy,
    tracked_links,
)

DEMO_ACCOUNTS: list[tuple[str, str, Role]] = [
    ("admin@demo.relais.invalid", "demo-admin-pass", Role.ADMIN),
    ("curator@demo.relais.invalid", "demo-curator-pass", Role.CURATOR),
    ("camille@demo.relais.invalid", "demo-ambassador-1", Role.AMBASSADOR),
    ("sam@demo.relais.invalid", "demo-ambassador-2", Role.AMBASSADOR),
]
DEMO_NAMES = {
    "admin@demo.relais.invalid": ("Alex Admin", "fr"),
    "curator@demo.relais.invalid": ("Chris Curator", "fr"),
    "camille@demo.relais.invalid": ("Camille Martin", "fr"),
    "sam@demo.relais.invalid": ("Sam Taylor", "en"),
}


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


def demo_accounts_exist(session: Session) -> bool:
    return _demo_user(session, DEMO_ACCOUNTS[0][0]) is not None


def load_if_empty(session: Session, settings: ingest.FeedSettings, now: datetime, today: date) -> bool:
    """Create the demo program; returns False (and does nothing) if data exists.

    ``today`` is the program's day (the ambassadors' mandates start on it).
    The sample feeds come first because refreshing them commits (see
    ``ingest.refresh_feeds``); the rest is left for the caller to commit. If
    that fails, the database still has no account, so the next start loads
    the demo again, finding the feeds and their items already there.
    """
    if not is_empty(session):
        return False
    load_sample_feeds(session, settings)
    for email, password, role in DEMO_ACCOUNTS:
        name, language = DEMO_NAMES[email]
        accounts.create_user(
            session, email=email, name=name, password=password, role=role, language=language
        )
    publish_sample_content(session, now)
    welcome_ambassadors(session, today)
    network_activity(session, now)
    return True


def load_sample_feeds(session: Session, settings: ingest.FeedSettings) -> None:
    """The bundled sample feeds, refreshed (offline) like any feed; the scheduler keeps polling them."""
    feeds.import_opml(session, OPML_PATH.read_bytes())
    requests = [ingest.FeedRequest.of(feed) for feed in session.scalars(select(Feed).order_by(Feed.id))]
    ingest.refresh_feeds(session, requests, settings)


# Topics, with the sample feeds' categories that suggest them.
DEMO_TOPICS = {
    ("Énergie citoyenne", "Community energy"): ["énergie", "résultats", "finance", "solar"],
    ("Recrutement", "Jobs"): ["cdi", "cdd", "stage", "technique", "communication", "données"],
    ("Événements", "Events"): ["webinar", "conference", "open day"],
    ("Vie de la coopérative", "Life of the cooperative"): ["entreprise", "vie de l'équipe", "partenariats",
                                                          "community", "governance"],
    ("Territoires", "Places"): ["lyon", "grenoble"],
}

# Sample items to publish: canonical link → (needs, two hooks, highlighted,
# hours since publication). The hooks become texts for every network, so the
# demo shows variants without pages of prose here.
DEMO_CONTENT = {
    "https://example.org/fr/actualites/nouveau-site-lyon": (
        ["visibility", "business"],
        ["Atelier Boréal ouvre un deuxième site à Lyon : 12 recrutements à la clé ☀️",
         "Une bonne nouvelle pour l'énergie citoyenne en Auvergne-Rhône-Alpes : notre atelier s'installe à Lyon."],
        True, 2,
    ),
    "https://example.org/fr/emplois/technicien-photovoltaique-lyon?source=flux": (
        ["career", "networking"],
        ["On recrute un·e technicien·ne photovoltaïque à Lyon. Vous connaissez la bonne personne ?",
         "Envie de poser des panneaux solaires qui appartiennent à leurs habitant·es ? Le poste est ouvert."],
        False, 5,
    ),
    "https://example.org/en/events/webinar-financing": (
        ["learning", "business"],
        ["Webinaire : comment financer un projet solaire citoyen, en une heure et avec des exemples.",
         "Élu·e, association, collectif d'habitant·es ? Ce webinaire sur le financement est pour vous."],
        False, 26,
    ),
    "https://example.org/en/blog/100-solar-roofs": (
        ["learning", "visibility"],
        ["Cinq leçons tirées de 100 toits solaires installés : la 3e m'a surpris·e.",
         "100 toits solaires plus tard, notre équipe partage ce qu'elle a appris."],
        False, 50,
    ),
}


def _texts(hooks: list[str], summary: str) -> dict[str, list[str]]:
    first_sentence = summary.split(". ")[0].strip().rstrip(".")
    return {
        "x": list(hooks),
        "bluesky": list(hooks),
        "mastodon": [f"{hook} #ÉnergieCitoyenne" for hook in hooks],
        "linkedin": [f"{hook}\n\n{first_sentence}." if first_sentence else hook for hook in hooks],
    }


def publish_sample_content(session: Session, now: datetime) -> None:
    """Topics, and a few sample items approved and published by the demo curator,
    so that a newcomer signs in to a living program."""
    curator = _demo_user(session, "curator@demo.relais.invalid")
    taxonomy.ensure_needs(session)
    for (name_fr, name_en), categories in DEMO_TOPICS.items():
        taxonomy.set_categories(session, taxonomy.add_topic(session, name_fr=name_fr, name_en=name_en), categories)
    needs = {need.key: need.id for need in taxonomy.list_needs(session)}
    for link, (need_keys, hooks, highlighted, hours_ago) in DEMO_CONTENT.items():
        item = session.scalar(select(FeedItem).where(FeedItem.link == link).limit(1))
        if item is None:
            continue  # a sample feed changed: publish the others
        draft = queue.draft_from_item(session, item, now - timedelta(hours=hours_ago))
        draft.need_ids = [needs[key] for key in need_keys]
        draft.texts = _texts(hooks, draft.summary)
        draft.highlighted = highlighted
        contents.create_content(session, draft, curator, now, feed_item=item)


# Each demo ambassador's own choices: needs, networks and consents given.
DEMO_AMBASSADORS = {
    "camille@demo.relais.invalid": (["visibility", "career"], ["linkedin", "mastodon"], "mastodon.social",
                                    [Purpose.SHARE_ATTRIBUTION, Purpose.DIRECTORY]),
    "sam@demo.relais.invalid": (["networking", "learning"], ["x", "bluesky", "linkedin"], None,
                                [Purpose.DIGEST]),
}


def _demo_user(session: Session, email: str) -> User:
    user = accounts.find_by_email(session, email)
    assert user is not None, email  # the demo accounts are made first
    return user


def _text(session: Session, purpose: Purpose, language: str) -> ConsentText:
    text = consent.current_text(session, purpose, language)
    assert text is not None  # the migrations seed every purpose's text in each language
    return text


def welcome_ambassadors(session: Session, today: date) -> None:
    """The demo ambassadors have accepted the charter and made their own choices."""
    needs = {need.key: need.id for need in taxonomy.list_needs(session)}
    topic_ids = [topic.id for topic in taxonomy.list_topics(session)]
    for email, (need_keys, networks, instance, purposes) in DEMO_AMBASSADORS.items():
        user = _demo_user(session, email)
        language = user.language or "fr"
        ambassadors.accept_charter(session, user, _text(session, Purpose.MEMBERSHIP, language), today)
        ambassadors.update_profile(session, user, ambassadors.ProfileChanges(
            networks=networks, mastodon_instance=instance, department_id=None, language=language,
            paused_until=None, need_ids=[needs[key] for key in need_keys], topic_ids=topic_ids[:2]), today)
        for purpose in purposes:
            consent.grant(session, user, _text(session, purpose, language))
        onboarding.finish(session, user.id, clock.now())


# What the rest of the network did with the demo posts, per network: shares
# (anonymous: people who did not attribute theirs), clicks and link previews
# on the newest post's first day; older posts and later days get fewer.
DEMO_ACTIVITY = {"linkedin": (7, 48, 9), "x": (4, 21, 6), "bluesky": (3, 12, 3), "mastodon": (3, 14, 4),
                 "whatsapp": (2, 9, 0), "email": (1, 4, 0)}


def network_activity(session: Session, now: datetime) -> None:
    """Shares and clicks since each demo post went out, so that insights and the
    home page's milestones have figures; and one share of Camille's, attributed
    because she consented to it, for her own history."""
    today = clock.utc_day(now)  # share and click counts are kept per UTC day
    published = list(session.scalars(select(Content).order_by(Content.publish_at.desc())))
    shares_written: dict[tuple[int, str, date], int] = {}
    clicks_written: dict[tuple[int, date], list[int]] = {}
    for rank, content in enumerate(published):
        links = tracked_links.links_of(session, content.id)
        for offset in range((today - clock.utc_day(content.publish_at or now)).days + 1):  # all published
            day = today - timedelta(days=offset)
            fade = rank + 2 * offset
            for network, (shares, clicks, previews) in DEMO_ACTIVITY.items():
                shared, clicked, previewed = max(shares - fade, 0), max(clicks - 6 * fade, 0), max(previews - fade, 0)
                session.add_all(ShareEvent(content_id=content.id, network=network, day=day) for _ in range(shared))
                session.add(ClickCount(link_id=links[network].id, day=day, clicks=clicked, previews=previewed))
                shares_written[(content.id, network, day)] = shared
                clicks_written[(links[network].id, day)] = [clicked, previewed]
    session.flush()
    # Past days: the scheduler may have rolled them up before the demo was
    # loaded (a database without users has roll-ups too), so they are
    # followed there like any late write.
    insights_rollup.add_late_shares(session.connection(), shares_written)
    insights_rollup.add_late_clicks(session.connection(), clicks_written)
    if published:
        camille = _demo_user(session, "camille@demo.relais.invalid")
        sharing.record_share(session, camille, published[-1].id, "linkedin", now)
