"""`make run` on an empty database shows a living program."""

from sqlalchemy import func, select

from advocacy.models import ClickCount, Content, ShareEvent, User, utcnow
from advocacy.services import clock, contents, demo
from advocacy.services.ingest import FeedSettings
from curation_helpers import store  # noqa: F401


def test_demo_publishes_sample_content(store):
    with store.session() as session:
        assert demo.load_if_empty(session, FeedSettings(), clock.now(), clock.program_today("Europe/Paris"))
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


def test_demo_has_network_activity_and_one_attributed_share(store):
    with store.session() as session:
        assert demo.load_if_empty(session, FeedSettings(), clock.now(), clock.program_today("Europe/Paris"))
    with store.session() as session:
        shares = session.scalars(select(ShareEvent)).all()
        assert shares and all(share.day <= utcnow().date() for share in shares)
        camille = session.scalar(select(User).where(User.email == "camille@demo.relais.invalid"))
        assert [share.network for share in shares if share.user_id is not None] == ["linkedin"]
        assert all(share.user_id in (None, camille.id) for share in shares)
        assert session.scalar(select(func.sum(ClickCount.clicks))) > 0
        for share in shares:  # never before the post went out
            assert share.day >= session.get(Content, share.content_id).publish_at.date()
