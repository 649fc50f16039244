"""Topics managed by curators; feed categories that suggest them."""

from sqlalchemy import select

from advocacy.models import CategoryTopic, Topic
from advocacy.services import taxonomy
from curation_helpers import curator, make_feed, make_item, needs, store  # noqa: F401


def topics(store) -> dict[str, list[str]]:
    with store.session() as session:
        return {t.name: [m.category for m in t.categories] for t in session.scalars(select(Topic))}


def test_add_rename_map_and_delete_topics(client, store, curator):
    response = client.post("/curation/topics", data={"name": "Énergie", "categories": "Solar, ÉNERGIE ,solar"})
    assert response.status_code == 302
    assert topics(store) == {"Énergie": ["solar", "énergie"]} or topics(store) == {"Énergie": ["énergie", "solar"]}
    duplicate = client.post("/curation/topics", data={"name": "énergie"})
    assert duplicate.status_code == 400 and "There is already a topic called" in duplicate.get_data(as_text=True)

    with store.session() as session:
        topic_id = session.scalar(select(Topic.id))
    client.post(f"/curation/topics/{topic_id}", data={f"topic-{topic_id}-name": "Energy",
                                                      f"topic-{topic_id}-categories": "solar"})
    assert topics(store) == {"Energy": ["solar"]}

    # A category moves to the topic that lists it last.
    client.post("/curation/topics", data={"name": "Roofs", "categories": "solar"})
    assert topics(store) == {"Energy": [], "Roofs": ["solar"]}

    client.post(f"/curation/topics/{topic_id}/delete")
    assert topics(store) == {"Roofs": ["solar"]}
    page = client.get("/curation/topics").get_data(as_text=True)
    assert "Roofs" in page


def test_suggested_topics_from_categories(store):
    with store.session() as session:
        jobs = taxonomy.add_topic(session, "Jobs")
        energy = taxonomy.add_topic(session, "Énergie")
        taxonomy.add_topic(session, "Unrelated")
        taxonomy.set_categories(session, jobs, ["CDI", "Stage"])
        names = lambda cats: [t.name for t in taxonomy.suggested_topics(session, cats)]  # noqa: E731
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
