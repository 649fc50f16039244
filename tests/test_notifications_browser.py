"""Notifications in a real browser: seen on the list, they are marked read (the GET itself writes nothing)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import Notification
from browser import live_server, needs, sign_in
from digest_helpers import next_monday, publish
from test_notifications import ambassador

pytestmark = needs()


def unread(app, user_id: int) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)))


def test_notifications_shown_on_the_list_are_marked_read_and_leave_the_menu(app, auth, phone):
    person = ambassador(app, auth, "Seer", in_app=True)
    publish(app, "Seen at last", next_monday(10) - timedelta(days=14), highlighted=True)
    assert unread(app, person.id) == 1
    with live_server(app) as base:
        page = phone.new_page()
        sign_in(page, base, person.email, "ambassador-password")
        expect(page.locator("[data-unread-count]")).to_have_count(1)  # the menu says one is waiting
        page.goto(base + "/me/notifications/")
        expect(page.get_by_text("Seen at last")).to_be_visible()
        # Once shown: read on the server, out of the menu, the "New" badge kept for this viewing.
        expect(page.locator("form[data-mark-seen]")).to_be_hidden()
        expect(page.locator("[data-unread-count]")).to_have_count(0)
        expect(page.locator("li.unread .badge")).to_have_count(1)
        assert unread(app, person.id) == 0
        page.reload()
        expect(page.locator("li.unread")).to_have_count(0)
        page.close()


def test_the_script_gets_no_page_back_and_a_refused_post_marks_nothing(app, client, auth):
    person = ambassador(app, auth, "Quiet", in_app=True)
    publish(app, "Still waiting", next_monday(10) - timedelta(days=14), highlighted=True)
    auth.login(person.email, "ambassador-password")
    fetch = {"X-Requested-With": "fetch"}
    assert client.post("/me/notifications/read", data={"up_to": "x"}, headers=fetch).status_code == 400
    assert unread(app, person.id) == 1
    response = client.post("/me/notifications/read", data={"up_to": 10**6}, headers=fetch)
    assert response.status_code == 204 and not response.data
    assert unread(app, person.id) == 0
