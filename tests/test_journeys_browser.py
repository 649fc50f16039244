"""Journeys an ambassador makes, walked in a real browser on a phone (390×844): from an
invitation to a first share, a consent given then withdrawn, the data downloaded then erased.

Everything goes through the pages as a person would: the sign-in form, the
buttons, the downloads; CSRF protection is on, as in production. What each
step did is then checked in the database, not only on the screen.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, ConsentRecord, Purpose, Role, ShareEvent, User
from browser import live_server, needs, sign_in
from test_personal_feed import world  # noqa: F401  (a fixture)

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


def consent_decisions(app, purpose: Purpose, email: str = EMAIL) -> list[bool]:
    with app.app_context():
        return list(get_session().scalars(
            select(ConsentRecord.granted).join(User, User.id == ConsentRecord.user_id)
            .where(User.email == email, ConsentRecord.purpose == purpose).order_by(ConsentRecord.id)))


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


def test_from_an_invitation_to_a_first_share(app, auth, phone, desktop, world):
    from test_invitations import outbox_messages
    from test_personal_feed import publish

    _needs, topics = world
    publish(app, "Heat pumps in the old town", topics=[topics["Energy"]])
    auth.create_user(Role.ADMIN, email="admin.journey@example.org", password=PASSWORD)
    with live_server(app) as base:
        admin = desktop.new_page()
        sign_in(admin, base, "admin.journey@example.org", PASSWORD)
        admin.goto(base + "/admin/users")
        invitation = admin.locator("form[action$='/admin/invitations']")
        invitation.get_by_label("E-mail").fill("newcomer@example.org")
        invitation.get_by_label("Role").select_option("ambassador")
        invitation.get_by_label("Language").select_option("en")
        invitation.get_by_role("button", name="Send the invitation").click()
        expect(admin.get_by_text("newcomer@example.org").first).to_be_visible()

        page = phone.new_page()
        body = outbox_messages(app)[-1].get_body(("plain",)).get_content()
        page.goto(re.search(r"http://\S+/invitation/\S+", body).group(0))  # the link as e-mailed
        expect(page.get_by_text("Step 1 of 4")).to_be_visible()
        page.get_by_label("Your name").fill("Noa Newcomer")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create my account").click()

        expect(page.get_by_text("Step 2 of 4")).to_be_visible()
        page.get_by_label("I have read the charter and I want to join the program.").check()
        page.get_by_role("button", name="Join the program").click()

        expect(page.get_by_text("Step 3 of 4")).to_be_visible()
        given = page.locator(".consent .badge").filter(has_text=re.compile("^Given$"))
        expect(given).to_have_count(0)  # nothing is chosen for them
        page.locator("#purpose-share_attribution").get_by_role("button", name="I agree").click()
        expect(page.locator("#purpose-share_attribution .badge")).to_have_text("Given")
        page.get_by_role("link", name="Continue").click()

        expect(page.get_by_text("Step 4 of 4")).to_be_visible()
        page.get_by_role("checkbox", name="Energy").check()
        page.get_by_role("checkbox", name="Mastodon").check()
        page.get_by_label("Your Mastodon instance").fill("mastodon.example")
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Heat pumps in the old town")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

        # The first share: the Mastodon button opens the person's own server.
        phone.route("https://mastodon.example/**", lambda route: route.fulfill(
            content_type="text/html", body="<!doctype html><title>compose</title>"))
        with phone.expect_page() as opened:
            page.locator('[data-share-network="mastodon"]').first.tap()
        assert opened.value.url.startswith("https://mastodon.example/share?text=")
        page.evaluate("window.dispatchEvent(new Event('blur'))")  # the network's app takes over
        opened.value.close()
        page.evaluate("window.dispatchEvent(new Event('focus'))")  # and hands back to Relais
        page.locator("[data-share-prompt]").first.get_by_role("button", name="Yes").tap()
        page.get_by_role("link", name="See my shares").first.tap()
        expect(page.locator("main").get_by_text("Heat pumps in the old town")).to_be_visible()
    with app.app_context():
        newcomer, profile = get_session().execute(
            select(User, AmbassadorProfile).join(AmbassadorProfile, AmbassadorProfile.user_id == User.id)
            .where(User.email == "newcomer@example.org")).one()
        assert newcomer.name == "Noa Newcomer"
        assert profile.networks == ["mastodon"] and profile.mastodon_instance == "mastodon.example"
        shared = get_session().execute(select(ShareEvent.network, ShareEvent.user_id)).all()
        assert [tuple(row) for row in shared] == [("mastodon", newcomer.id)]  # attributed: they consented
    assert consent_decisions(app, Purpose.SHARE_ATTRIBUTION, "newcomer@example.org") == [True]
