"""Pages on a phone: nothing may make the whole page scroll sideways.

Wide tables scroll inside their own box. Checked in a real browser (headless
Chromium) because only layout shows it: once, ``main`` (a flex item with auto
margins) grew to the widest table, and visually hidden labels inside tables
widened the page even after that.
"""

from advocacy.db import get_session
from advocacy.models import Feed, Role
from browser import live_server, needs, share_session

pytestmark = needs()

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
STAFF_PAGES = ["/feeds/", "/admin/users", "/admin/program/departments", "/admin/program/coverage",
               "/curation/contents", "/kit/manage", "/surveys/manage", "/feedback/inbox"]
AMBASSADOR_PAGES = ["/", "/me/consents", "/me/profile", "/me/shares", "/directory", "/calendar/", "/thanks/"]
INSTANCE_HIDDEN = "document.querySelector('[data-mastodon-instance]').hidden"


def signed_in(client, auth, context, base, role):
    auth.login_as(role, language="fr", email=f"someone.with.a.rather.long.address.{role.value}@example.org")
    share_session(context, base, client)


def overflowing(context, base, paths) -> dict[str, int]:
    page = context.new_page()
    widths = {}
    for path in paths:
        page.goto(base + path)
        assert page.evaluate("location.pathname") == path  # signed in, not sent elsewhere
        widths[path] = page.evaluate(OVERFLOW)
    return {path: extra for path, extra in widths.items() if extra > 0}


def test_staff_pages_fit_a_phone(app, client, auth, phone):
    with app.app_context():
        session = get_session()
        for n in range(3):
            session.add(Feed(url=f"https://news.example.org/feeds/category/company-announcements-{n}.xml",
                             title=f"Company announcements and press releases {n}"))
        session.commit()
    for n in range(3):
        auth.create_user(Role.AMBASSADOR, email=f"ambassador.number.{n}.with.a.long.name@example.org")
    with live_server(app) as base:
        signed_in(client, auth, phone, base, Role.ADMIN)
        assert overflowing(phone, base, STAFF_PAGES) == {}


def test_ambassador_pages_fit_a_phone(app, client, auth, phone):
    with live_server(app) as base:
        signed_in(client, auth, phone, base, Role.AMBASSADOR)
        assert overflowing(phone, base, AMBASSADOR_PAGES) == {}


def test_the_first_steps_fit_a_phone_and_the_instance_field_follows_mastodon(app, client, auth, phone):
    from test_onboarding import accept_charter

    with live_server(app) as base:
        auth.login_as(Role.AMBASSADOR, member=False, language="fr",
                      email="someone.with.a.rather.long.address@example.org")
        share_session(phone, base, client)
        assert overflowing(phone, base, ["/me/charter"]) == {}
        accept_charter(app, client)
        assert overflowing(phone, base, ["/welcome/consents", "/welcome/about"]) == {}
        page = phone.pages[-1]
        assert page.evaluate(INSTANCE_HIDDEN) is True  # Mastodon not ticked: no field to puzzle over
        page.locator("[data-networks] input[value=mastodon]").check()
        assert page.evaluate(INSTANCE_HIDDEN) is False
        client.post("/welcome/skip")
        client.post("/me/leave")
        assert overflowing(phone, base, ["/me/left"]) == {}
