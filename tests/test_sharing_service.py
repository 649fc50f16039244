"""Share events and tracked links: attribution only with consent, never in links."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import Purpose, Role, ShareEvent, TrackedLink, User, utcnow
from advocacy.services import consent, contents, personal_data, personal_feed, sharing, tracked_links
from advocacy.services.tracked_links import LINK_NETWORKS  # the networks links are made for
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401


def events(app):
    with app.app_context():
        return [(e.network, e.user_id) for e in get_session().scalars(select(ShareEvent).order_by(ShareEvent.id))]


def share(app, user, content_id, network="x"):
    with app.app_context():
        session = get_session()
        recorded = sharing.record_share(session, session.get(User, user.id), content_id, network, utcnow())
        session.commit()
        return recorded.event.id


def test_share_is_anonymous_without_attribution_consent(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    share(app, user, content_id)
    assert events(app) == [("x", None)]


def test_share_is_attributed_with_consent_and_detached_on_withdrawal(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    share(app, user, content_id, "linkedin")
    assert events(app) == [("linkedin", user.id)]
    with app.app_context():
        consent.withdraw(get_session(), user.id, Purpose.SHARE_ATTRIBUTION)
        get_session().commit()
    assert events(app) == [("linkedin", None)]  # still counted, no longer theirs


def test_erasure_keeps_shares_in_totals_without_the_person(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    share(app, user, publish(app, "Post"))
    with app.app_context():
        session = get_session()
        data = personal_data.export(session, session.get(User, user.id))
        assert [s["content_title"] for s in data["shares"]] == ["Post"]
        personal_data.erase(session, session.get(User, user.id), "ambassador-password")
        session.commit()
    assert events(app) == [("x", None)]


def test_attributed_shares_leave_the_personal_feed(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    share(app, user, content_id)
    with app.app_context():
        assert personal_feed.page(get_session(), user.id, utcnow()).suggestions == []


def test_cannot_share_invisible_content_or_on_unknown_network(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    scheduled = publish(app, "Later", hours_ago=-3)
    with pytest.raises(sharing.SharingError):
        share(app, user, scheduled)
    with pytest.raises(sharing.SharingError):
        share(app, user, publish(app, "Now"), network="myspace")


def test_links_are_made_with_the_content_in_its_transaction(app, world):
    content_id = publish(app, "Post")
    with app.app_context():
        links = tracked_links.links_of(get_session(), content_id)
    assert sorted(links) == sorted(LINK_NETWORKS)
    codes = [link.code for link in links.values()]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"[A-Za-z0-9_-]{8}", code) for code in codes)
    with app.app_context():  # a content that is not committed leaves no link behind
        session = get_session()
        draft = contents.ContentDraft(title="Dropped", summary="", target_url="https://example.org/dropped",
                                      publish_at=utcnow(), texts={"x": ["Dropped"]})
        dropped = contents.create_content(session, draft, None, utcnow()).id
        assert len(tracked_links.links_of(session, dropped)) == len(LINK_NETWORKS)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(TrackedLink)) == len(LINK_NETWORKS)


def test_campaign_url_tags_and_replaces_utm():
    url = sharing.campaign_url("https://example.org/a?x=1&utm_source=old#top", "linkedin", "our-post")
    query = parse_qs(urlsplit(url).query)
    assert query == {"x": ["1"], "utm_source": ["linkedin"], "utm_medium": ["ambassador"], "utm_campaign": ["our-post"]}
    assert url.endswith("#top")
    assert sharing.campaign_url("https://example.org/a", "x", "s", utm=False) == "https://example.org/a"


@pytest.mark.parametrize("network,expected", [
    ("x", "https://x.com/intent/tweet?text=Hello%20%C3%A9&url=https%3A%2F%2Fr.example%2Fs%2Fabc"),
    ("bluesky", "https://bsky.app/intent/compose?text=Hello%20%C3%A9%20https%3A%2F%2Fr.example%2Fs%2Fabc"),
    ("mastodon", "https://piaille.fr/share?text=Hello%20%C3%A9%20https%3A%2F%2Fr.example%2Fs%2Fabc"),
    ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fr.example%2Fs%2Fabc"),
    ("whatsapp", "https://wa.me/?text=Hello%20%C3%A9%20https%3A%2F%2Fr.example%2Fs%2Fabc"),
    ("email", "mailto:?subject=Title&body=Hello%20%C3%A9%0A%0Ahttps%3A%2F%2Fr.example%2Fs%2Fabc"),
])
def test_share_pages(network, expected):
    assert sharing.share_page_url(network, "Hello é", "https://r.example/s/abc", subject="Title",
                                  mastodon_instance="piaille.fr") == expected


def test_my_shares_by_month(app, auth, world):
    user = auth.create_user(Role.AMBASSADOR)
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    share(app, user, content_id, "x")
    share(app, user, content_id, "x")
    share(app, user, content_id, "linkedin")
    month = utcnow().date().replace(day=1)
    with app.app_context():
        assert sharing.my_shares_by_month(get_session(), user.id) == [(month, "x", 2), (month, "linkedin", 1)]
