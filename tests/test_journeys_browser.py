"""Journeys an ambassador makes, walked in a real browser on a phone (390×844).

Everything goes through the pages as a person would: the sign-in form, the
buttons, the downloads; CSRF protection is on, as in production. What each
step did is then checked in the database, not only on the screen.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import ConsentRecord, Purpose, Role, User
from browser import live_server, needs, sign_in

pytestmark = needs()

EMAIL = "camille.journey@example.org"
PASSWORD = "a-long-enough-password"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def member(auth):
    return auth.create_user(Role.AMBASSADOR, email=EMAIL, name="Camille Journey", password=PASSWORD,
                            language="en")


def consent_decisions(app, purpose: Purpose) -> list[bool]:
    with app.app_context():
        return list(get_session().scalars(
            select(ConsentRecord.granted).join(User, User.id == ConsentRecord.user_id)
            .where(User.email == EMAIL, ConsentRecord.purpose == purpose).order_by(ConsentRecord.id)))


def test_an_ambassador_gives_then_withdraws_a_consent(app, member, phone):
    with live_server(app) as base:
        page = phone.new_page()
        sign_in(page, base, EMAIL, PASSWORD)
        page.goto(base + "/me/consents")
        badge = page.locator("#purpose-share_attribution .badge")
        expect(badge).to_have_text("Not given")  # nothing ticked for the person

        page.locator("#purpose-share_attribution").get_by_role("button", name="I agree").click()
        expect(badge).to_have_text("Given")
        assert consent_decisions(app, Purpose.SHARE_ATTRIBUTION) == [True]

        page.reload()  # a reload repeats the GET, never the decision
        page.locator("#purpose-share_attribution").get_by_role("button", name="Withdraw").click()
        expect(badge).to_have_text("Not given")
        assert consent_decisions(app, Purpose.SHARE_ATTRIBUTION) == [True, False]
        # Both decisions are in the person's own history.
        expect(page.locator("tbody tr").filter(has_text="Withdrawn")).to_have_count(1)


def test_an_ambassador_downloads_their_data_then_erases_everything(app, member, phone):
    with live_server(app) as base:
        page = phone.new_page()
        sign_in(page, base, EMAIL, PASSWORD)
        page.goto(base + "/me/data")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download my data").click()
        exported = json.loads(download.value.path().read_text(encoding="utf-8"))
        assert EMAIL in json.dumps(exported)

        # Without the confirmation box, nothing is erased and the page says why.
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Erase everything").click()
        expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
        with app.app_context():
            assert get_session().scalar(select(func.count()).where(User.email == EMAIL)) == 1

        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_label("I understand that this cannot be undone.").check()
        page.get_by_role("button", name="Erase everything").click()
        expect(page.get_by_text("Your account and your personal data are erased.")).to_be_visible()
        assert "/login" in page.url
        with app.app_context():
            assert get_session().scalar(select(func.count()).where(User.email == EMAIL)) == 0

        # The erased account cannot sign in again, and the old session is over.
        sign_in(page, base, EMAIL, PASSWORD)
        expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()
        assert "/login" in page.url
        page.goto(base + "/me/data")
        assert "/login" in page.url
