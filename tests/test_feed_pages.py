"""Curator pages for feeds, and the `advocacy feeds` commands."""

import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import Feed, FeedItem, Role
from advocacy.services import sample_feeds

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local news</title><link>https://example.org/</link>
<item><title>First &lt;b&gt;post&lt;/b&gt;</title><link>https://example.org/1?utm_source=x</link><guid>1</guid>
<description>&lt;p&gt;Hello&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description></item>
<item><title>Second</title><link>https://example.org/2</link><guid>2</guid></item>
</channel></rss>"""


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
def curator(auth):
    return auth.login_as(Role.CURATOR, language="en")


def feeds_in(app):
    with app.app_context():
        return list(get_session().scalars(select(Feed)))


def test_add_feed_fetches_it_at_once(app, client, curator, feed_server):
    url = feed_server.static("/pages/news.xml", RSS)
    response = client.post("/feeds/", data={"url": url, "interval": "30"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Local news" in response.get_data(as_text=True)
    assert "2 new items" in response.get_data(as_text=True)
    [feed] = feeds_in(app)
    assert feed.title == "Local news" and feed.last_success_at is not None
    with app.app_context():
        links = set(get_session().scalars(select(FeedItem.link)))
    assert links == {"https://example.org/1", "https://example.org/2"}


def test_add_feed_error_is_shown_in_plain_words_and_keeps_the_address(app, client, curator, feed_server):
    url = feed_server.static("/pages/missing.xml", b"nope", status=404, content_type="text/plain")
    response = client.post("/feeds/", data={"url": url, "interval": "30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "there is no feed at this address (HTTP 404)" in html
    assert f'value="{url}"' in html
    assert feeds_in(app) == []


def test_add_feed_html_page_is_refused(client, curator, feed_server):
    url = feed_server.static("/pages/page.html", b"<html><body>Hi</body></html>", content_type="text/html")
    response = client.post("/feeds/", data={"url": url})
    assert "returns a web page, not a feed" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{}])  # no allow-list
def test_private_address_is_refused_without_allow_list(app, client, auth, feed_server):
    auth.login_as(Role.CURATOR, language="en")
    url = feed_server.static("/pages/private.xml", RSS)
    response = client.post("/feeds/", data={"url": url})
    assert "private network" in response.get_data(as_text=True)
    assert "FEED_ALLOWED_NETWORKS" not in response.get_data(as_text=True)  # a curator cannot change it
    assert feeds_in(app) == []


@pytest.mark.parametrize("app_config", [{}])  # no allow-list
def test_an_admin_is_told_which_setting_allows_a_private_address(app, client, auth, feed_server):
    auth.login_as(Role.ADMIN, language="en")
    url = feed_server.static("/pages/private.xml", RSS)
    response = client.post("/feeds/", data={"url": url})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "private network" in html and "the FEED_ALLOWED_NETWORKS setting" in html
    assert f'value="{url}"' in html  # what was typed is kept
    assert feeds_in(app) == []


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "javascript:alert(1)", "not a url"])
def test_bad_addresses_get_a_clear_error(client, curator, url):
    response = client.post("/feeds/", data={"url": url})
    assert response.status_code == 400
    assert "http:// or https://" in response.get_data(as_text=True)


def test_duplicate_feed_is_refused(client, curator, feed_server):
    url = feed_server.static("/pages/dup.xml", RSS)
    client.post("/feeds/", data={"url": url})
    response = client.post("/feeds/", data={"url": url})
    assert "already in the list" in response.get_data(as_text=True)


def test_interval_has_a_minimum(app, client, curator):
    sample = sample_feeds.sample_feeds()[0][0]
    client.post("/feeds/", data={"url": sample})
    [feed] = feeds_in(app)
    response = client.post(f"/feeds/{feed.id}/interval", data={"interval": "5"}, follow_redirects=True)
    assert "at most every 10 minutes" in response.get_data(as_text=True)
    client.post(f"/feeds/{feed.id}/interval", data={"interval": "45"})
    assert feeds_in(app)[0].interval_minutes == 45


def test_list_shows_health_and_last_error(app, client, curator):
    with app.app_context():
        session = get_session()
        session.add(Feed(url="https://example.org/broken.xml", title="Broken", consecutive_errors=3,
                         last_error_code="timeout", last_error_params={"seconds": 20.0}))
        session.add(Feed(url="https://example.org/off.xml", title="Off", enabled=False, disabled_reason="gone"))
        session.commit()
    html = client.get("/feeds/").get_data(as_text=True)
    assert "Failing" in html and "longer than 20 seconds" in html and "3 failed checks" in html
    assert "Switched off because the server says the feed is gone." in html
    french = client.get("/feeds/", headers={"Accept-Language": "fr"})  # user setting wins: still English
    assert "Failing" in french.get_data(as_text=True)


def test_disable_enable_and_delete_with_confirmation(app, client, curator):
    client.post("/feeds/", data={"url": sample_feeds.sample_feeds()[0][0]})
    [feed] = feeds_in(app)
    client.post(f"/feeds/{feed.id}/disable")
    assert feeds_in(app)[0].enabled is False
    client.post(f"/feeds/{feed.id}/enable")
    assert feeds_in(app)[0].enabled is True
    confirm = client.get(f"/feeds/{feed.id}/delete")
    assert confirm.status_code == 200 and b"Delete the feed" in confirm.data
    assert feeds_in(app)  # a GET deletes nothing
    client.post(f"/feeds/{feed.id}/delete")
    assert feeds_in(app) == []
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(FeedItem)) == 0


def test_opml_import_and_export(app, client, curator):
    import io

    from content_feeds.samples import OPML_PATH

    response = client.post("/feeds/import", data={"file": (io.BytesIO(OPML_PATH.read_bytes()), "feeds.opml")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "5 feeds added" in response.get_data(as_text=True)
    exported = client.get("/feeds/export.opml")
    assert exported.mimetype == "text/x-opml"
    for url, _path in sample_feeds.sample_feeds():
        assert url.encode() in exported.data


def test_invalid_opml_gets_a_clear_error(app, client, curator):
    import io

    response = client.post("/feeds/import", data={"file": (io.BytesIO(b"<opml><body>"), "bad.opml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "OPML file could not be read" in response.get_data(as_text=True)
    assert feeds_in(app) == []


def test_ambassadors_cannot_manage_feeds(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/feeds/").status_code == 403
    assert client.post("/feeds/", data={"url": "https://example.org/feed"}).status_code == 403


def test_unknown_feed_is_404(client, curator):
    assert client.post("/feeds/424242/disable").status_code == 404


def test_cli_feeds_commands(app, runner, feed_server, tmp_path):
    url = feed_server.static("/cli/news.xml", RSS)
    added = runner.invoke(args=["feeds", "add", url])
    assert added.exit_code == 0 and "Local news" in added.output
    listed = runner.invoke(args=["feeds", "list"])
    assert url in listed.output and "ok" in listed.output
    refreshed = runner.invoke(args=["feeds", "refresh", "--all"])
    assert refreshed.exit_code == 0 and "1 feed checked, 0 new items, 0 failed" in refreshed.output
    missing = runner.invoke(args=["feeds", "refresh", "999"])
    assert missing.exit_code != 0 and "no feed with id 999" in missing.output
    exported = runner.invoke(args=["feeds", "export-opml"])
    opml = tmp_path / "feeds.opml"
    opml.write_text(exported.output)
    imported = runner.invoke(args=["feeds", "import-opml", str(opml)])
    assert "0 added, 1 already known" in imported.output
    broken = runner.invoke(
        args=[
            "feeds", "add", feed_server.static("/cli/bad.xml", b"<rss><channel><item>", content_type="application/xml")
        ]
    )
    assert broken.exit_code != 0
