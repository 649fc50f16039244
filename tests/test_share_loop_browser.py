"""The share loop's JS in a real browser (headless Chromium), on a phone-sized screen.

Leaving the tab for the network and coming back is played with the window's
blur and focus events, which share-loop.js treats as visibilitychange.
"""

import pytest

from advocacy.models import Role
from browser import CHROMIUM, Browser, live_server
from test_personal_feed import world  # noqa: F401
from test_share_loop import publish
from test_share_panel import set_networks

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

PROMPT = "document.querySelector('#content-{id} [data-share-prompt]')"
LEAVE_AND_RETURN = "window.dispatchEvent(new Event('blur')); window.dispatchEvent(new Event('focus')); true"


@pytest.fixture
def browser(tmp_path):
    chromium = Browser(str(tmp_path / "chromium-profile"))
    chromium.viewport(390, 844)
    yield chromium
    chromium.close()


def test_did_you_share_it_is_asked_once_on_return(app, client, auth, browser, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_networks(app, user, ["x", "linkedin", "whatsapp"])
    content_id = publish(app, "Solar schools", {"x": ["Our schools go solar"]})
    prompt = PROMPT.format(id=content_id)
    with live_server(app) as base:
        browser.set_cookie(base, "session", client.get_cookie("session").value)
        browser.open(base + "/")
        assert browser.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        assert browser.evaluate(f"{prompt}.hidden") is True
        browser.evaluate(LEAVE_AND_RETURN)
        assert browser.evaluate(f"{prompt}.hidden") is True  # nothing opened: nothing asked

        # Tap WhatsApp (its page not opened here: the test stays on this machine).
        button = f"document.querySelector('#content-{content_id} [data-share-network=\"whatsapp\"]')"
        browser.evaluate(f"{button}.addEventListener('click', e => e.preventDefault()); {button}.click(); true")
        browser.evaluate(LEAVE_AND_RETURN)
        assert browser.evaluate(f"{prompt}.hidden") is False
        assert browser.evaluate(f"{prompt}.querySelector('[data-share-prompt-network]').value") == "whatsapp"

        browser.evaluate(f"{prompt}.querySelector('[data-share-dismiss]').click(); true")
        assert browser.evaluate(f"{prompt}.hidden") is True
        browser.evaluate(LEAVE_AND_RETURN)
        assert browser.evaluate(f"{prompt}.hidden") is True  # dismissed: never again for this use
