"""Needs (a fixed, bilingual list) and topics (managed by curators, named in
French, English or both; ``Topic.label`` falls back on the other language).

Feed categories map to topics so that an approved item arrives with
suggested topics: "Partenariats" in a feed → the topic "Partnerships".
Categories are compared lower-cased and stripped, since feeds are not
consistent about case ("Entreprise" and "entreprise").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CategoryTopic, FeedItem, Need, Topic
from .errors import ServiceError

# key, French label, English label, position. The migration seeds the same
# list; ensure_needs() restores it on a database emptied by hand (tests).
NEEDS = [
    ("visibility", "Visibilité et image professionnelle", "Visibility and professional image", 1),
    ("career", "Carrière", "Career", 2),
    ("networking", "Échanger avec ses pairs", "Networking with peers", 3),
    ("learning", "Apprentissage et compétences", "Learning and skills", 4),
    ("business", "Développement commercial", "Business development", 5),
]

MAX_TOPIC_NAME = 80
MAX_CATEGORY = 200


class TaxonomyError(ServiceError):
    area = "taxonomy"


def ensure_needs(session: Session) -> list[Need]:
    """Create any missing seeded need (idempotent); returns all needs in order."""
    known = set(session.scalars(select(Need.key)))
    for key, label_fr, label_en, position in NEEDS:
        if key not in known:
            session.add(Need(key=key, label_fr=label_fr, label_en=label_en, position=position))
    session.flush()
    return list_needs(session)


def list_needs(session: Session) -> list[Need]:
    return list(session.scalars(select(Need).order_by(Need.position, Need.id)))


def list_topics(session: Session, language: str = "fr") -> list[Topic]:
    """Topics by their name in ``language``. Sorted in Python: SQLite's lower()
    leaves "É" before nothing but "z"."""
    return sorted(session.scalars(select(Topic)), key=lambda t: (t.label(language).casefold(), t.id))


def normalise_category(category: str) -> str:
    return " ".join((category or "").split()).lower()[:MAX_CATEGORY]


def _clean_name(name: str | None) -> str | None:
    name = " ".join((name or "").split())
    if len(name) > MAX_TOPIC_NAME:
        raise TaxonomyError("topic_name_too_long", maximum=MAX_TOPIC_NAME)
    return name or None


def _set_names(session: Session, topic: Topic, name_fr: str | None, name_en: str | None) -> None:
    """A topic needs a name in one language at least; each is unique in its language,
    compared in Python: SQLite's lower() ignores accents ("Énergie"), and there
    are a few dozen topics at most."""
    name_fr, name_en = _clean_name(name_fr), _clean_name(name_en)
    if name_fr is None and name_en is None:
        raise TaxonomyError("topic_name_required")
    others = [t for t in session.scalars(select(Topic)) if t.id != topic.id]
    for name, taken in ((name_fr, {t.name_fr.casefold() for t in others if t.name_fr}),
                        (name_en, {t.name_en.casefold() for t in others if t.name_en})):
        if name is not None and name.casefold() in taken:
            raise TaxonomyError("topic_exists", name=name)
    topic.name_fr, topic.name_en = name_fr, name_en


def add_topic(session: Session, *, name_fr: str | None = None, name_en: str | None = None) -> Topic:
    topic = Topic()
    _set_names(session, topic, name_fr, name_en)
    session.add(topic)
    session.flush()
    return topic


def rename_topic(session: Session, topic: Topic, *, name_fr: str | None, name_en: str | None) -> None:
    _set_names(session, topic, name_fr, name_en)
    session.flush()


def delete_topic(session: Session, topic: Topic) -> None:
    """Contents lose the topic; their revision history is not rewritten."""
    session.delete(topic)
    session.flush()


def set_categories(session: Session, topic: Topic, categories: Iterable[str]) -> list[str]:
    """Replace the topic's categories. A category belongs to one topic only:
    listing it here moves it from any other topic. Returns the moved ones."""
    wanted = []
    for category in categories:
        category = normalise_category(category)
        if category and category not in wanted:
            wanted.append(category)
    moved = []
    existing = {m.category: m for m in session.scalars(
        select(CategoryTopic).where(CategoryTopic.category.in_(wanted)))} if wanted else {}
    for mapping in list(topic.categories):
        if mapping.category not in wanted:
            topic.categories.remove(mapping)
    session.flush()
    for category in wanted:
        current = existing.get(category)
        if current is None:
            topic.categories.append(CategoryTopic(category=category))
        elif current.topic_id != topic.id:
            moved.append(category)
            current.topic = topic
    session.flush()
    return moved


def suggested_topics(session: Session, categories: Iterable[str]) -> list[Topic]:
    """Topics for an item's feed categories: mapped ones, and same-named topics."""
    keys = {normalise_category(c) for c in categories or []} - {""}
    if not keys:
        return []
    mapped = set(session.scalars(select(CategoryTopic.topic_id).where(CategoryTopic.category.in_(keys))))
    return [t for t in list_topics(session)
            if t.id in mapped or any(normalise_category(name) in keys for name in t.names)]


def unmapped_categories(session: Session, recent_items: int = 500) -> list[str]:
    """Categories of the latest items that suggest no topic yet, to map them.

    Categories live in a JSON column, so they are gathered in Python from a
    bounded number of recent items rather than from the whole table.
    """
    seen: set[str] = set()
    for categories in session.scalars(
        select(FeedItem.categories).order_by(FeedItem.published_at.desc(), FeedItem.id.desc()).limit(recent_items)
    ):
        seen.update(normalise_category(c) for c in categories or [])
    mapped = set(session.scalars(select(CategoryTopic.category)))
    names = {normalise_category(name) for t in list_topics(session) for name in t.names}
    return sorted(seen - mapped - names - {""})
