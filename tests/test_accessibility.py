"""axe-core and the Nu HTML Checker find nothing, on every page of every role.

Every HTML page a role can open (derived from ``app.url_map``, see
``accessibility_helpers``) is visited in Chromium at 1280×900 and 390×844
and checked with axe-core's default rules; the HTML the server sent is
checked by the Nu HTML Checker, all pages in one Java run. Besides the pages
as first opened, the states people meet: a form sent back with its errors,
a flash message after an action, the feed with suggestions, the share panel.
A failure lists the page, the size, the rule and the elements (axe), or the
page, the line and the message (Nu).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from accessibility_helpers import Page, audit_in_browser, axe_violations, html_pages, new_context, vnu_errors
from advocacy.db import get_session
from advocacy.models import (
    ChatDelivery,
    ChatPlatform,
    ChatWebhook,
    Feed,
    Notification,
    NotificationChannel,
    NotificationKind,
    Purpose,
    Role,
    User,
    utcnow,
)
from advocacy.services import ambassadors, chat_webhooks, clock
from browser import AXE_SCRIPT, PHONE, VNU_JAR, chromium, live_server, needs  # noqa: F401  (fixtures)
from curation_helpers import make_item
from program_helpers import switch_to
from test_personal_feed import choose, publish, world  # noqa: F401  (fixture)
from test_staff_walk import program  # noqa: F401  (fixture)

pytestmark = needs(AXE_SCRIPT, VNU_JAR)

# States worth checking besides the pages as first opened: a form sent back
# with its errors, the page that shows the flash message of an action (POSTs,
# redirects followed), error pages (GETs: data None); each with the markup
# that shows the state is there.
ERRORS, FLASH = 'class="error"', 'class="flashes"'  # (the hidden offline notice is a flash too)
STATES = {
    "signed out": [
        ("sign-in refused", "/login", {"email": "nobody@example.org", "password": "wrong"}, ERRORS),
        ("join form with errors", "/join", {"email": "not an address"}, ERRORS),
        ("join link sent", "/join", {"email": "newcomer@walk.example"}, "newcomer@walk.example"),
        ("the 404 page", "/no-such-page", None, "404"),
    ],
    "ambassador": [
        ("feedback form with errors", "/feedback/", {"kind": "irritant", "body": ""}, ERRORS),
        ("profile with errors", "/me/profile", {"networks": "no-such-network"}, ERRORS),
        ("flash after a withdrawal", f"/me/consents/{Purpose.DIRECTORY.value}/withdraw", {}, FLASH),
        ("thanks after a share", "/content/1/shared", {"network": "x"}, "/undo"),
        ("a staff page refused", "/insights/", None, "403"),
        ("a new API token shown once", "/me/api-tokens", {"name": "My reader"}, "relais_"),
        ("API token with errors", "/me/api-tokens", {"name": ""}, ERRORS),
        # Then the list shows the notification more_rows wrote, and the menu its count.
        ("in-app notifications granted", f"/me/consents/{Purpose.NOTIFY_IN_APP.value}/grant",
         {"version": "1", "language": "fr"}, FLASH),
        ("notifications after choosing a rhythm", "/me/notifications/frequency", {"frequency": "weekly"}, FLASH),
        ("notifications marked read", "/me/notifications/read", {"up_to": "0"}, "/me/notifications/read"),
    ],
    "curator": [
        ("new post with errors", "/curation/contents/new", {"title": ""}, ERRORS),
        ("new kit page with errors", "/kit/new", {"title": ""}, ERRORS),
        ("event with errors", "/calendar/events", {"title": ""}, ERRORS),
        ("flash after a thank-you", "/thanks/", {"message": "Thank you, everyone"}, FLASH),
    ],
    "admin": [
        ("invitation with errors", "/admin/invitations", {"email": "not an address"}, ERRORS),
        ("department with errors", "/admin/program/departments", {"name": ""}, ERRORS),
        ("feed with errors", "/feeds/", {"url": ""}, ERRORS),
        ("staff API token with errors", "/admin/api-tokens", {"name": ""}, ERRORS),
        ("chat webhook with errors", "/admin/chat-webhooks", {"platform": "slack", "name": "", "url": ""}, ERRORS),
        ("a new staff API token shown once", "/admin/api-tokens", {"name": "Report", "scopes": "feeds:read"},
         "relais_"),
    ],
}


@pytest.fixture
def app_config() -> dict:
    # Single sign-on on, so that the sign-in page shows its button (the provider is never
    # reached: the walk keeps only pages that answer 200, and starting the flow does not).
    return {"OPEN_JOIN": True, "JOIN_ALLOWED_DOMAINS": ["walk.example"], "SIGN_IN_LINKS": True,
            "OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "relais", "OIDC_CLIENT_SECRET": "walk-secret",
            "OIDC_LABEL": "Walk ID"}


def more_rows(app, auth, world) -> None:
    """Beyond the staff walk's program: what brings badges and hints onto the pages."""
    needs, topics = world
    content_id = publish(app, "Highlighted walk post", topics=[topics["Energy"]], needs=[needs["career"]],
                         highlighted=True)
    gone = auth.create_user(Role.AMBASSADOR, email="gone@walk.example", name="Former Ambassador")
    with app.app_context():
        session = get_session()
        failing_chat_webhook(session, app.config["SECRET_KEY"], content_id)
        make_item(session, session.scalars(select(Feed)).first(), 2, categories=["Energy", "Jobs"], link=None)
        session.get(User, gone.id).active = False
        # A notification for every ambassador (whose list shows it once they consent to it).
        for user_id in session.scalars(select(User.id).where(User.role == Role.AMBASSADOR)):
            session.add(Notification(user_id=user_id, kind=NotificationKind.HIGHLIGHT, reference=str(content_id),
                                     channel=NotificationChannel.IN_APP))
        session.commit()


def failing_chat_webhook(session, secret_key: str, content_id: int) -> None:
    """A team chat webhook being retried after an error: the page's failure lines and the to-do's."""
    url = "https://hooks.example.org/services/T1/B2/walk"
    webhook = ChatWebhook(platform=ChatPlatform.SLACK, name="#walk", url_sealed=chat_webhooks.seal(secret_key, url),
                          url_hint=chat_webhooks.hint(url))
    session.add(webhook)
    session.flush()
    now = utcnow()
    session.add(ChatDelivery(webhook_id=webhook.id, content_id=content_id, attempts=2, next_attempt_at=now,
                             last_attempt_at=now, last_error="http_status", last_error_detail="503"))


def sign_in(app, auth, program, world, role: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # the helpers sign in without a token
    auth.logout()
    if role == "ambassador":
        # The one who wrote feedback and owns the first shares; their needs
        # match the published post, so the feed has a suggestion to show.
        person = program["persons"][0]
        needs, topics = world
        choose(app, person["user"], needs=[needs["career"]], topics=[topics["Energy"]])
        switch_to(auth, person["user"])
    elif role == "curator":
        switch_to(auth, program["curator"])
    elif role == "admin":
        switch_to(auth, auth.create_user(Role.ADMIN, email="admin@walk.example", language="fr"))
    # Pages as in production: with CSRF on, every form renders its token.
    app.config["WTF_CSRF_ENABLED"] = True


def states(client, role: str, token: str) -> list[Page]:
    pages = []
    for name, url, data, shows in STATES[role]:
        if data is None:
            response = client.get(url)
        else:
            response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)
        assert response.mimetype == "text/html" and response.status_code in (200, 400, 403, 404, 422), (name, response)
        body = response.get_data(as_text=True)
        assert shows in body, f"{name}: the page does not show it"
        pages.append(Page(f"{name} ({url})", response.request.path, body, replay=True))
    return pages


def move_mandate_end(app, person_id: int, to):
    """Set when this ambassador's mandate ends; returns when it ended before."""
    with app.app_context():
        session = get_session()
        profile = ambassadors.profile_of(session, person_id)
        before, profile.mandate_ends_on = profile.mandate_ends_on, to
        session.commit()
        return before


def lapsed_page(app, client, person) -> Page:
    """The page of an ambassador whose mandate ended, served as sent. The mandate then runs again:
    the browser visits this ambassador's other pages afterwards."""
    yesterday = clock.program_today(app.config["TIMEZONE"]) - timedelta(days=1)
    running_until = move_mandate_end(app, person["id"], yesterday)
    response = client.get("/me/mandate-ended")
    move_mandate_end(app, person["id"], running_until)
    assert response.status_code == 200 and "/me/renew" in response.get_data(as_text=True)
    return Page("a mandate ended (/me/mandate-ended)", "/me/mandate-ended", response.get_data(as_text=True),
                replay=True)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_axe_and_the_nu_checker_find_nothing_on_any_page_of_any_role(app, client, auth, program, world, chromium):
    curator_saw: set[str] = set()
    violations: list[str] = []
    more_rows(app, auth, world)
    # The Nu checker (a JVM) runs in the background while the browser visits pages.
    with ThreadPoolExecutor(max_workers=1) as background, live_server(app) as base:
        checks = []
        for role in STATES:
            sign_in(app, auth, program, world, role)
            pages = html_pages(app, client, program)
            assert len(pages) >= (4 if role == "signed out" else 12), (role, [page.url for page in pages])
            token = csrf_token(pages[0].html)
            if role == "curator":
                curator_saw = {page.url for page in pages}
            if role == "admin":  # an admin sees a curator's pages as the curator does, with a longer menu
                pages = [page for page in pages if page.url not in curator_saw or page.url == "/"]
            pages += states(client, role, token)
            if role == "ambassador":
                pages.append(lapsed_page(app, client, program["persons"][0]))
            pages = [Page(f"{page.name} [{role}]", page.url, page.html, page.replay) for page in pages]
            checks.append(background.submit(vnu_errors, pages))
            # Now, while this role is signed in: signing in as the next one ends this session.
            cookie = client.get_cookie("session")
            violations += audit_in_browser(chromium, base, cookie.value if cookie else None, pages)
        errors = [error for check in checks for error in check.result()]
    assert not violations and not errors, "\n".join(
        [f"{len(violations)} axe violations:", *violations, f"{len(errors)} Nu HTML Checker errors:", *errors])


def test_the_nu_checker_reports_an_error_with_its_page_and_line():
    twice = '<!doctype html>\n<html lang="en"><title>Twice</title>\n<p id="a">one</p><p id="a">two</p>\n</html>'
    errors = vnu_errors([Page("the page with twice the same id", "/twice", twice)])
    assert any(error.startswith("the page with twice the same id line 3: Duplicate ID") for error in errors), errors


def test_axe_reports_a_box_out_of_keyboard_reach_and_grey_on_grey(chromium):
    context = new_context(chromium, PHONE)
    page = context.new_page()
    # The two faults this test suite once let through: a table scrolling in a box no key reaches,
    # and the hint's grey on the muted badge's grey (4.3:1).
    page.set_content('<!doctype html><html lang="en"><title>Faults</title><main>'
                     '<div style="overflow-x: auto; width: 10rem"><table><tr><td style="white-space: nowrap">'
                     + "a wide table " * 20 + '</td></tr></table></div>'
                     '<p style="color: #5b6770"><span style="background: #d9dfe3">Energy</span></p></main></html>')
    rules = {violation.split(" ")[0] for violation in axe_violations(page)}
    context.close()
    assert {"scrollable-region-focusable", "color-contrast"} <= rules, rules
