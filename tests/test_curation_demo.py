"""`make run` on an empty database shows a living program."""

from sqlalchemy import select

from advocacy.models import Content, utcnow
from advocacy.services import contents, demo
from curation_helpers import store  # noqa: F401


def test_demo_publishes_sample_content(store):
    with store.session() as session:
        assert demo.load_if_empty(session)
    with store.session() as session:
        visible = session.scalars(select(Content).where(contents.visible_to_ambassadors(utcnow()))).all()
        assert len(visible) >= 3
        assert sum(c.highlighted for c in visible) == 1
        for content in visible:
            assert content.created_by.email == "curator@demo.relais.invalid"
            assert content.needs and content.topics and content.feed_item_id
            for network in ("x", "bluesky", "mastodon", "linkedin"):
                texts = content.texts_for(network)
                assert len(texts) == 2 and all(contents.text_rules.measure(network, t).ok for t in texts)
