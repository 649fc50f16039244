"""The share loop in a real browser on a phone (390×844): taps counted, the share recorded,
LinkedIn's copied text (and what happens when the clipboard refuses).

The network's compose page opens in a new tab as on a phone; its address is
answered here by a stand-in page (the test never leaves this machine), so
what the tap sent to the network — wording and tracked link — can be read
from the address the new tab opened.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import Role, ShareEvent
from browser import live_server, needs, sign_in
from test_personal_feed import world  # noqa: F401  (a fixture)
from test_share_loop import link_of, publish
from test_share_panel import set_networks

pytestmark = needs()

PASSWORD = "a-long-enough-password"
LEFT = "window.dispatchEvent(new Event('blur'));"
RETURNED = "window.dispatchEvent(new Event('focus'));"
NETWORK_PAGES = ["https://x.com/**", "https://wa.me/**", "https://bsky.app/**", "https://www.linkedin.com/**"]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def phone_offline(phone):
    """The phone, with every network's page answered by a stand-in page."""
    for pattern in NETWORK_PAGES:
        phone.route(pattern, lambda route: route.fulfill(content_type="text/html",
                                                          body="<!doctype html><title>compose</title>"))
    return phone


def shares(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [tuple(row) for row in get_session().execute(select(ShareEvent.content_id, ShareEvent.network))]


def test_from_the_open_feed_to_the_compose_window_in_one_tap_and_one_more_to_count_it(
        app, auth, phone_offline, world):
    user = auth.create_user(Role.AMBASSADOR, language="en", password=PASSWORD)
    set_networks(app, user, ["x", "linkedin", "whatsapp"])
    content_id = publish(app, "Solar schools", {"x": ["Our schools go solar"]})
    with live_server(app) as base:
        page = phone_offline.new_page()
        sign_in(page, base, user.email, PASSWORD)
        page.goto(base + "/")
        card = page.locator(f"#content-{content_id}")
        prompt = card.locator("[data-share-prompt]")
        expect(prompt).to_be_hidden()
        taps = 0

        with page.context.expect_page() as opened:
            card.locator('[data-share-network="x"]').tap()
            taps += 1
        compose = opened.value
        compose.wait_for_load_state()
        sent = parse_qs(urlsplit(compose.url).query)
        assert compose.url.startswith("https://x.com/intent/tweet")
        assert sent["text"] == ["Our schools go solar"]
        assert sent["url"] == [base + urlsplit(link_of(app, content_id, "x")).path]  # X's own tracked link
        assert taps <= 3  # the bound, from an open app to the compose window

        # Headless Chromium keeps every tab "visible": play what a phone does
        # when the network's app takes over, then hands back to Relais.
        page.evaluate(LEFT)
        compose.close()
        page.bring_to_front()
        page.evaluate(RETURNED)
        expect(prompt).to_be_visible()
        assert shares(app) == []  # nothing counted before the person says so
        prompt.get_by_role("button", name="Yes").tap()
        taps += 1
        expect(page.get_by_text("Counted", exact=False).first).to_be_visible()
        assert shares(app) == [(content_id, "x")]
        assert taps == 2

        # Reloading the page that followed counts nothing more.
        page.reload()
        assert shares(app) == [(content_id, "x")]


def test_not_this_time_is_asked_once_and_never_again(app, auth, phone_offline, world):
    user = auth.create_user(Role.AMBASSADOR, language="en", password=PASSWORD)
    set_networks(app, user, ["x", "whatsapp"])
    content_id = publish(app, "Solar schools", {"x": ["Our schools go solar"]})
    with live_server(app) as base:
        page = phone_offline.new_page()
        sign_in(page, base, user.email, PASSWORD)
        page.goto(base + "/")
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        prompt = page.locator(f"#content-{content_id} [data-share-prompt]")
        page.evaluate(LEFT + RETURNED)
        expect(prompt).to_be_hidden()  # nothing opened: nothing asked

        with page.context.expect_page() as opened:
            page.locator(f'#content-{content_id} [data-share-network="whatsapp"]').tap()
        page.evaluate(LEFT)
        opened.value.close()
        page.evaluate(RETURNED)
        expect(prompt).to_be_visible()
        assert prompt.locator("[data-share-prompt-network]").input_value() == "whatsapp"

        prompt.get_by_role("button", name="Not this time").tap()
        expect(prompt).to_be_hidden()
        page.evaluate(LEFT + RETURNED)
        expect(prompt).to_be_hidden()  # dismissed: never again for this use
        assert shares(app) == []


def test_linkedin_copies_the_text_and_says_how_to_paste_it(app, auth, phone_offline, world):
    user = auth.create_user(Role.AMBASSADOR, language="en", password=PASSWORD)
    set_networks(app, user, ["linkedin"])
    content_id = publish(app, "Solar schools", {"linkedin": ["Our schools go solar, and here is how."]})
    with live_server(app) as base:
        phone_offline.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = phone_offline.new_page()
        sign_in(page, base, user.email, PASSWORD)
        page.goto(base + "/")
        card = page.locator(f"#content-{content_id}")
        with page.context.expect_page() as opened:
            card.locator('[data-share-network="linkedin"]').tap()
        assert opened.value.url.startswith("https://www.linkedin.com/")
        expect(card.locator("[data-share-status]")).to_contain_text("Your text is copied")
        assert page.evaluate("navigator.clipboard.readText()") == "Our schools go solar, and here is how."


def test_when_the_clipboard_refuses_the_text_is_shown_selected(app, auth, phone_offline, world):
    user = auth.create_user(Role.AMBASSADOR, language="en", password=PASSWORD)
    set_networks(app, user, ["linkedin"])
    content_id = publish(app, "Solar schools", {"linkedin": ["Our schools go solar, and here is how."]})
    with live_server(app) as base:
        page = phone_offline.new_page()
        sign_in(page, base, user.email, PASSWORD)
        page.goto(base + "/")
        page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('refused')); }")
        card = page.locator(f"#content-{content_id}")
        with page.context.expect_page():
            card.locator('[data-share-network="linkedin"]').tap()
        expect(card.locator("[data-share-status]")).to_contain_text("could not be copied")
        manual = card.locator("[data-share-manual]")
        expect(manual).to_be_visible()
        assert manual.input_value() == "Our schools go solar, and here is how."
        selected = "(e => e.value.substring(e.selectionStart, e.selectionEnd))(document.activeElement)"
        assert page.evaluate(selected) == "Our schools go solar, and here is how."  # ready to copy by hand
