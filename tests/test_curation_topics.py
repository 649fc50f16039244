"""Topics managed by curators; feed categories that suggest them."""

import pytest
from sqlalchemy import select

from advocacy.models import CategoryTopic, Role, Topic
from advocacy.services import taxonomy
from curation_helpers import curator, make_feed, make_item, needs, store  # noqa: F401
from program_helpers import switch_to


def topics(store) -> dict[str, list[str]]:
    """Topics by their English name (or French, while they have no English one)."""
    with store.session() as session:
        return {t.label("en"): [m.category for m in t.categories] for t in session.scalars(select(Topic))}


def test_add_rename_map_and_delete_topics(client, store, curator):
    response = client.post("/curation/topics", data={"name_fr": "Énergie", "categories": "Solar, ÉNERGIE ,solar"})
    assert response.status_code == 302
    assert topics(store) == {"Énergie": ["solar", "énergie"]} or topics(store) == {"Énergie": ["énergie", "solar"]}
    duplicate = client.post("/curation/topics", data={"name_fr": "énergie"})
    assert duplicate.status_code == 400 and "There is already a topic called" in duplicate.get_data(as_text=True)
    nameless = client.post("/curation/topics", data={"name_fr": " ", "name_en": ""})
    assert nameless.status_code == 400 and "Give the topic a name." in nameless.get_data(as_text=True)

    with store.session() as session:
        topic_id = session.scalar(select(Topic.id))
    client.post(f"/curation/topics/{topic_id}", data={f"topic-{topic_id}-name_fr": "Énergie",
                                                      f"topic-{topic_id}-name_en": "Energy",
                                                      f"topic-{topic_id}-categories": "solar"})
    assert topics(store) == {"Energy": ["solar"]}

    # A category moves to the topic that lists it last.
    client.post("/curation/topics", data={"name_en": "Roofs", "categories": "solar"})
    assert topics(store) == {"Energy": [], "Roofs": ["solar"]}

    client.post(f"/curation/topics/{topic_id}/delete")
    assert topics(store) == {"Roofs": ["solar"]}
    page = client.get("/curation/topics").get_data(as_text=True)
    assert "Roofs" in page


def test_suggested_topics_from_categories(store):
    with store.session() as session:
        jobs = taxonomy.add_topic(session, name_en="Jobs")
        energy = taxonomy.add_topic(session, name_fr="Énergie")
        taxonomy.add_topic(session, name_en="Unrelated")
        taxonomy.set_categories(session, jobs, ["CDI", "Stage"])
        names = lambda cats: [t.label("en") for t in taxonomy.suggested_topics(session, cats)]  # noqa: E731
        assert names(["cdi", "Lyon"]) == ["Jobs"]
        assert names(["ÉNERGIE"]) == ["Énergie"]  # a topic's own name needs no mapping
        assert names([]) == [] and names(["nothing"]) == []
        make_item(session, make_feed(session), 1, categories=["Lyon", "CDI"])
        assert taxonomy.unmapped_categories(session) == ["lyon"]
        assert session.scalar(select(CategoryTopic.category).where(CategoryTopic.topic_id == energy.id)) is None


def test_needs_are_seeded_in_both_languages(store, needs):
    assert [n.key for n in needs] == ["visibility", "career", "networking", "learning", "business"]
    assert needs[0].label("fr") == "Visibilité et image professionnelle"
    assert needs[0].label("en") == "Visibility and professional image"


def test_each_reader_sees_topics_in_their_language_or_the_other_one(client, auth, store, needs):
    with store.session() as session:
        taxonomy.add_topic(session, name_fr="Énergie", name_en="Energy")
        taxonomy.add_topic(session, name_fr="Recrutement")  # no English name yet
    auth.login_as(Role.AMBASSADOR, language="en", email="en@example.org")
    english = client.get("/me/profile").get_data(as_text=True)
    assert "Energy" in english and "Énergie" not in english and "Recrutement" in english
    switch_to(auth, auth.create_user(Role.AMBASSADOR, language="fr", email="fr@example.org"))
    french = client.get("/me/profile").get_data(as_text=True)
    assert "Énergie" in french and "Energy" not in french and "Recrutement" in french


def test_a_name_is_unique_in_its_own_language_only(store):
    with store.session() as session:
        taxonomy.add_topic(session, name_fr="Formation", name_en="Training")
        # "Formation" is also an English word: another topic may use it in English.
        taxonomy.add_topic(session, name_en="Formation")
        with pytest.raises(taxonomy.TaxonomyError):
            taxonomy.add_topic(session, name_fr="formation")
