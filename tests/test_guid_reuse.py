"""A publisher that gives one GUID to several articles loses none of them.

Entries are known by their GUID and link together: the same GUID on two
links is two items, the same GUID and link is one item, updated as before.
Served by the local feed server, added and refreshed as the app does it.
"""

import pytest
from sqlalchemy import insert, select

from advocacy import jobs, migrate
from advocacy.db import get_engine, get_session
from advocacy.models import Feed, FeedItem, Role, utcnow

ITEM = "<item><title>{title}</title><guid>{guid}</guid><link>{link}</link></item>"


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Reused</title>'
            "<link>https://example.org/</link>" + "".join(items) + "</channel></rss>").encode()


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}


def items(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return sorted((item.guid, item.link, item.title) for item in get_session().scalars(select(FeedItem)))


def refresh(app) -> None:
    with app.app_context():
        session = get_session()
        for feed in session.scalars(select(Feed)):
            feed.next_check_at = utcnow()  # due now
        session.commit()
    jobs.run_job(app, jobs.refresh_due_feeds, need_lease=False)


def test_one_guid_on_two_links_is_two_items_and_the_same_link_one(app, client, auth, feed_server):
    url = feed_server.static("/reused.xml", rss(
        ITEM.format(title="Solar roofs", guid="post", link="https://example.org/solar"),
        ITEM.format(title="Wind farms", guid="post", link="https://example.org/wind"),
        ITEM.format(title="Solar roofs, again", guid="post", link="https://example.org/solar?utm_source=rss"),
    ))
    auth.login_as(Role.CURATOR, language="en")
    assert client.post("/feeds/", data={"url": url, "interval": "30"}).status_code == 302
    assert items(app) == [("post", "https://example.org/solar", "Solar roofs"),
                          ("post", "https://example.org/wind", "Wind farms")]

    # Next poll: the same GUID and link is the same item, updated; a new link is a new item.
    feed_server.static("/reused.xml", rss(
        ITEM.format(title="Solar roofs (updated)", guid="post", link="https://example.org/solar"),
        ITEM.format(title="Wind farms", guid="post", link="https://example.org/wind"),
        ITEM.format(title="Heat pumps", guid="post", link="https://example.org/heat"),
    ))
    refresh(app)
    assert items(app) == [("post", "https://example.org/heat", "Heat pumps"),
                          ("post", "https://example.org/solar", "Solar roofs (updated)"),
                          ("post", "https://example.org/wind", "Wind farms")]


def test_items_stored_under_their_guid_alone_are_found_after_the_migration(app, feed_server):
    url = feed_server.static("/migrated.xml", rss(
        ITEM.format(title="Stored before", guid="old-post", link="https://example.org/old"),
        ITEM.format(title="Long GUID", guid="g" * 300, link="https://example.org/long"),
    ))
    migrate.downgrade(app, "0016")
    with app.app_context(), get_engine().begin() as connection:
        inserted = connection.execute(insert(Feed.__table__).values(url=url, interval_minutes=30))
        feed_id = inserted.inserted_primary_key[0]
        for key, guid, link in (("guid:old-post", "old-post", "https://example.org/old"),
                                ("guid-sha256:x", "g" * 300, "https://example.org/long"),
                                ("guid:no-link", "no-link", None)):
            connection.execute(insert(FeedItem.__table__).values(
                feed_id=feed_id, dedupe_key=key, guid=guid, link=link, title="Stored before",
                published_at=utcnow(), updated_at=utcnow(), status="new", first_seen_at=utcnow()))
    migrate.upgrade(app)
    with app.app_context():
        keys = dict(get_session().execute(select(FeedItem.guid, FeedItem.dedupe_key)).all())
    assert keys["old-post"] == "guid+link:old-post\nhttps://example.org/old"
    assert keys["g" * 300].startswith("guid+link-sha256:")
    assert keys["no-link"] == "guid:no-link"  # no link: its GUID alone, as before

    refresh(app)
    assert [(guid[:8], title) for guid, _link, title in items(app)] == [
        ("gggggggg", "Long GUID"), ("no-link", "Stored before"), ("old-post", "Stored before")]

    migrate.downgrade(app, "0016")  # the GUID keys come back
    with app.app_context(), get_engine().connect() as connection:
        assert connection.scalar(select(FeedItem.dedupe_key).where(FeedItem.guid == "old-post")) == "guid:old-post"
    migrate.upgrade(app)
