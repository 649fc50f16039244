"""The share panel over HTTP: two clicks, the network's page, undo within 24 hours."""

import re
from datetime import date, timedelta

from sqlalchemy import event, func, select

from advocacy.db import get_engine, get_session
from advocacy.models import Purpose, Role, ShareEvent, TrackedLink, User
from advocacy.services import ambassadors
from test_consent import grant
from test_personal_feed import publish, world  # noqa: F401


def set_networks(app, user, networks, instance=None):
    with app.app_context():
        session = get_session()
        ambassadors.update_profile(session, session.get(User, user.id), ambassadors.ProfileChanges(
            networks=networks, mastodon_instance=instance, department_id=None, language="en",
            paused_until=None), date.today())
        session.commit()


def share_count(app):
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(ShareEvent))


def test_every_new_content_has_one_link_per_network(app, world):
    content_id = publish(app, "Post")
    with app.app_context():
        networks = get_session().scalars(select(TrackedLink.network).where(TrackedLink.content_id == content_id))
        assert sorted(networks) == ["bluesky", "email", "linkedin", "mastodon", "other", "whatsapp", "x"]


def test_showing_the_panel_writes_nothing(app, client, auth, world):
    """A GET reads only: no INSERT, UPDATE or DELETE reaches the database, and nothing is committed."""
    user = auth.login_as(Role.AMBASSADOR, language="en")
    every_network = ["x", "bluesky", "mastodon", "linkedin", "whatsapp", "email"]
    set_networks(app, user, every_network, "piaille.fr")
    content_id = publish(app, "Post")
    statements, commits = [], []
    with app.app_context():
        engine = get_engine()
    on_statement = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    on_commit = lambda conn: commits.append(True)  # noqa: E731
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        response = client.get(f"/content/{content_id}/share")
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
    assert response.status_code == 200 and response.get_data(as_text=True).count("/s/") >= len(every_network)
    assert statements, "the listener saw the panel's queries"
    writes = [s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT)\b", s, re.I)]
    assert writes == [] and commits == []


def test_panel_shows_the_networks_the_ambassador_uses(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_networks(app, user, ["x", "mastodon", "linkedin"], "piaille.fr")
    content_id = publish(app, "Post")
    html = client.get(f"/content/{content_id}/share").get_data(as_text=True)
    assert "https://x.com/intent/tweet?text=Read%20Post&amp;url=http%3A%2F%2Flocalhost%2Fs%2F" in html
    assert "https://piaille.fr/share?text=" in html
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in html and "copied to the clipboard" in html
    # WhatsApp is not among their networks: one tap away, after theirs.
    mine, others = html.split('class="share-others-title"')
    assert "wa.me" not in mine and 'data-share-other="whatsapp"' in others and "https://wa.me/?text=" in others
    assert "https://piaille.fr/share" in mine and "https://piaille.fr/share" not in others
    assert "js/share.js" in html and "<script>" not in html


def test_the_tracked_link_is_the_same_for_every_ambassador(app, client, auth, world):
    content_id = publish(app, "Post")
    first = auth.login_as(Role.AMBASSADOR, email="a@example.org")
    set_networks(app, first, ["x"])
    one = client.get(f"/content/{content_id}/share").get_data(as_text=True)
    auth.logout()
    second = auth.login_as(Role.AMBASSADOR, email="b@example.org")
    set_networks(app, second, ["x"])
    two = client.get(f"/content/{content_id}/share").get_data(as_text=True)
    link = lambda html: html.split("/s/")[1].split("<")[0].split("&")[0].split('"')[0]  # noqa: E731
    assert link(one) == link(two)


def test_i_shared_it_then_undo(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    content_id = publish(app, "Post")
    response = client.post(f"/content/{content_id}/shared", data={"network": "x"})
    assert response.status_code == 302  # the thank-you page is a GET: reloading it records nothing
    response = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert response.status_code == 200 and b"added to your own history" in response.data
    assert share_count(app) == 1
    with app.app_context():
        share_id = get_session().scalar(select(ShareEvent.id))
    client.post(f"/shares/{share_id}/undo")
    assert share_count(app) == 0


def test_undo_only_within_24_hours_and_only_ones_own(app, client, auth, world):
    content_id = publish(app, "Post")
    auth.login_as(Role.AMBASSADOR, email="other@example.org")
    client.post(f"/content/{content_id}/shared", data={"network": "x"})
    auth.logout()
    auth.login_as(Role.AMBASSADOR, email="me@example.org")
    with app.app_context():
        others_share = get_session().scalar(select(ShareEvent.id))
    client.post(f"/shares/{others_share}/undo")
    assert share_count(app) == 1  # not mine to undo
    client.post(f"/content/{content_id}/shared", data={"network": "bluesky"})
    with client.session_transaction() as cookie:
        mine = max(int(k) for k in cookie["undoable_shares"])
        cookie["undoable_shares"] = {
            str(mine): cookie["undoable_shares"][str(mine)] - timedelta(hours=25).total_seconds()
        }
    response = client.post(f"/shares/{mine}/undo", follow_redirects=True, headers={"Accept-Language": "en"})
    assert share_count(app) == 2 and b"can no longer be undone" in response.data


def test_sharing_invisible_content_or_an_unknown_network_is_404(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR)
    later = publish(app, "Later", hours_ago=-2)
    assert client.get(f"/content/{later}/share").status_code == 404
    assert client.post(f"/content/{later}/shared", data={"network": "x"}).status_code == 404
    now = publish(app, "Now")
    assert client.post(f"/content/{now}/shared", data={"network": "friendster"}).status_code == 404
    assert share_count(app) == 0


def test_staff_do_not_get_the_share_panel(app, client, auth, world):
    auth.login_as(Role.CURATOR)
    assert client.get(f"/content/{publish(app, 'Post')}/share").status_code == 403
