""""My shares": the person's own history with undo, or, without attribution, this browser's last shares."""

import re
from datetime import timedelta

from sqlalchemy import func, insert, select

from advocacy.db import get_session
from advocacy.models import Purpose, Role, ShareEvent, utcnow
from advocacy.services import clock, sharing
from test_consent import grant
from test_feed_statements import statements_of
from test_onboarding import EN, page
from test_personal_feed import publish, world  # noqa: F401


def share(client, content_id, network="x"):
    response = client.post(f"/content/{content_id}/shared", data={"network": network})
    assert response.status_code == 302
    return int(response.headers["Location"].split("/")[2])


def share_ids(app):
    with app.app_context():
        return sorted(get_session().scalars(select(ShareEvent.id)))


def add_past_shares(app, user_id, content_id, days_ago, count=1):
    with app.app_context():
        session = get_session()
        day = clock.utc_day(utcnow()) - timedelta(days=days_ago)
        ids = [session.execute(insert(ShareEvent).values(content_id=content_id, network="linkedin", day=day,
                                                         user_id=user_id)).inserted_primary_key[0]
               for _ in range(count)]
        session.commit()
        return ids


def undo_buttons(html):
    return re.findall(r'action="/shares/(\d+)/undo"', html)


def test_the_history_lists_what_was_shared_newest_first_with_undo(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    older, newer = publish(app, "Older post"), publish(app, "Newer post")
    [old_share] = add_past_shares(app, user.id, older, days_ago=5)
    recent = share(client, newer, "bluesky")
    html = page(client, "/me/shares")
    assert html.index("Newer post") < html.index("Older post")
    assert "Bluesky" in html and "LinkedIn" in html
    five_days_ago = clock.utc_day(utcnow()) - timedelta(days=5)
    # Through the `day` filter (en_GB: "30 Nov 2026"), never the raw ISO date.
    assert f"{five_days_ago.day} {five_days_ago:%b %Y}" in html and five_days_ago.isoformat() not in html
    assert undo_buttons(html) == [str(recent)]  # the old one is past its window
    assert "By month and network" in html  # the monthly counts stay, under the month's name
    assert f"{five_days_ago:%B %Y}" in html and f"{five_days_ago:%Y-%m}<" not in html
    assert "Shared anonymously from this browser" not in html
    assert str(old_share) not in undo_buttons(html)


def test_an_own_attributed_share_is_undone_from_another_browser(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    mine = share(client, publish(app, "Post"))
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": "ambassador-password"})
    assert undo_buttons(page(other_browser, "/me/shares")) == [str(mine)]
    response = other_browser.post(f"/shares/{mine}/undo", data={"next": "/me/shares"})
    assert response.headers["Location"] == "/me/shares"
    assert share_ids(app) == []


def test_past_the_window_an_undo_is_refused_and_the_share_kept(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    [old] = add_past_shares(app, user.id, publish(app, "Post"), days_ago=2)
    response = client.post(f"/shares/{old}/undo", data={"next": "/me/shares"}, follow_redirects=True, headers=EN)
    assert b"can no longer be undone" in response.data and share_ids(app) == [old]


def test_the_window_never_cuts_24_hours_short():
    """Shares keep their day only: the rule lets a share be undone at least 24 hours, at most 48."""
    now = utcnow()
    made_just_before_midnight = clock.utc_day(now - timedelta(hours=23, minutes=59))
    assert made_just_before_midnight >= sharing.undo_window_opens(now)
    assert clock.utc_day(now - timedelta(hours=48, minutes=1)) < sharing.undo_window_opens(now)


def test_guessed_ids_of_other_peoples_shares_are_404_and_change_nothing(app, client, auth, world):
    content_id = publish(app, "Post")
    other = auth.login_as(Role.AMBASSADOR, email="other@example.org")
    grant(app, other, Purpose.SHARE_ATTRIBUTION)
    attributed = share(client, content_id)
    auth.logout()
    auth.login_as(Role.AMBASSADOR, email="anonymous@example.org")
    anonymous = share(client, content_id)
    auth.logout()
    me = auth.login_as(Role.AMBASSADOR, email="me@example.org", language="en")
    grant(app, me, Purpose.SHARE_ATTRIBUTION)
    for guessed in (attributed, anonymous, anonymous + 1000):
        assert client.post(f"/shares/{guessed}/undo", data={"next": "/me/shares"}).status_code == 404
    assert share_ids(app) == sorted([attributed, anonymous])
    html = page(client, "/me/shares")
    assert "Nothing shared under your name yet." in html and undo_buttons(html) == []


def test_without_attribution_only_this_browsers_recent_shares_are_listed(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    anonymous = share(client, publish(app, "Shared here"))
    html = page(client, "/me/shares")
    assert "anonymous shares keep no history" in html
    assert "Shared here" in html and undo_buttons(html) == [str(anonymous)]
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": "ambassador-password"})
    elsewhere = page(other_browser, "/me/shares")
    assert "Shared here" not in elsewhere and "Nothing shared from this browser" in elsewhere
    assert other_browser.post(f"/shares/{anonymous}/undo").status_code == 404  # not this browser's
    response = client.post(f"/shares/{anonymous}/undo", data={"next": "/me/shares"})
    assert response.headers["Location"] == "/me/shares" and share_ids(app) == []
    assert "Shared here" not in page(client, "/me/shares")


def test_the_history_is_paged_at_a_constant_cost(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    add_past_shares(app, user.id, content_id, days_ago=3, count=sharing.HISTORY_PAGE_SIZE + 5)
    first, second = page(client, "/me/shares"), page(client, "/me/shares?page=2")
    assert first.count('class="card share-entry"') == sharing.HISTORY_PAGE_SIZE and "?page=2" in first
    assert second.count('class="card share-entry"') == 5 and "?page=3" not in second
    assert len(statements_of(app, client, "/me/shares?page=2")) <= len(statements_of(app, client, "/me/shares"))
    add_past_shares(app, user.id, content_id, days_ago=4, count=40)
    assert len(statements_of(app, client, "/me/shares?page=3")) <= len(statements_of(app, client, "/me/shares"))
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(ShareEvent)) == sharing.HISTORY_PAGE_SIZE + 45
