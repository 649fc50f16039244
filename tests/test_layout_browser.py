"""Pages on a phone: nothing may make the whole page scroll sideways; the admin menu fits one row.

Every HTML page of every role (ambassador, curator, admin, signed out) is
opened at 390×844, in French (the longer labels), with long names, titles,
addresses and many rows. The list of pages comes from ``app.url_map``, with
URL parameters filled from real rows by the staff walk (``walk_urls``), so a
page added later is checked too.

Checked in a real browser (headless Chromium) because only layout shows it:
once, ``main`` (a flex item with auto margins) grew to the widest table, and
visually hidden labels inside tables widened the page even after that.
"""

from __future__ import annotations

import pytest

from advocacy.db import get_session
from advocacy.models import Feed, Role, User
from browser import live_server, needs, share_session
from curation_helpers import make_item
from program_helpers import switch_to
from test_calendar import add_event
from test_feedback import send
from test_kit import create_page
from test_personal_feed import choose, publish
from test_staff_walk import program, walk_urls, world  # noqa: F401  (fixtures)

pytestmark = needs()

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
LONG_WORD = "Désintermédiation-communautaire-des-ambassadeurs-bénévoles-internationaux"
LONG_URL = "https://www.example.org/actualites/2026/12/une-tres-longue-adresse-de-page-sans-espace-aucun?utm=x&ref=y"
# Elements whose right edge passes the viewport's although the page does not
# scroll (clipped by an ancestor's overflow: hidden): that is text cut off.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll("main *, header *")) {
    if (el.closest(".table-scroll, .visually-hidden, .skip-link, [hidden], details:not([open])")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      cut.push(el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 60));
    }
  }
  return cut.slice(0, 5);
}"""
# A box that scrolls sideways must be a labelled region reachable from the keyboard.
UNLABELLED_SCROLL = """() => [...document.querySelectorAll("main *")]
  .filter((el) => el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .filter((el) => !(el.getAttribute("role") === "region" && el.getAttribute("aria-label") && el.tabIndex === 0))
  .map((el) => el.tagName + "." + el.className)"""


def long_data(app, client, auth, program, world) -> None:
    """Long names, titles and addresses, and many rows, on top of the staff walk's program."""
    needs, topics = world
    for n in range(12):
        publish(app, f"{LONG_WORD} et la transition énergétique des territoires ruraux, épisode {n}",
                topics=[topics["Energy"]], needs=[needs["career"]], highlighted=n == 0)
    with app.app_context():
        session = get_session()
        for n in range(4):
            feed = Feed(url=f"{LONG_URL}/feed-{n}.xml", title=f"{LONG_WORD} — communiqués de presse {n}")
            session.add(feed)
            session.flush()
            for item in range(3):
                make_item(session, feed, 100 * n + item, title=f"{LONG_WORD} {item}", link=f"{LONG_URL}&item={item}")
        session.commit()
    for n in range(6):
        auth.create_user(Role.AMBASSADOR, name=f"Marie-Bernadette de La Tour-d'Auvergne-Lauraguais {n}",
                         email=f"marie-bernadette.de.la.tour.dauvergne.lauraguais.{n}@ambassadeurs.example.org")
    person = program["persons"][0]["user"]
    choose(app, person, needs=[needs["career"]], topics=[topics["Energy"]])
    switch_to(auth, person)
    send(client, body=f"Le bouton est difficile à trouver : {LONG_URL}")
    switch_to(auth, program["curator"])
    create_page(client, title=f"{LONG_WORD} : notre mission", slug="longue-mission", body=f"Voir {LONG_URL}")
    add_event(client, title=f"Rencontre {LONG_WORD}", location=LONG_URL)
    auth.logout()


def in_french(app, user_id: int) -> None:
    with app.app_context():
        session = get_session()
        session.get(User, user_id).language = "fr"
        session.commit()


def html_pages(client, urls: dict[str, str]) -> list[str]:
    """The URLs that answer this visitor with an HTML page (not a redirect, a refusal or a file)."""
    pages = []
    for url in sorted(set(urls.values())):
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(url)
    return pages


def problems(context, base, paths) -> dict[str, object]:
    page = context.new_page()
    found: dict[str, object] = {}
    for path in paths:
        page.goto(base + path)
        extra = page.evaluate(OVERFLOW)
        cut, unlabelled = page.evaluate(CUT_OFF), page.evaluate(UNLABELLED_SCROLL)
        if extra > 0 or cut or unlabelled:
            found[path] = {"scrolls sideways by": extra, "cut off": cut, "unlabelled scrolling box": unlabelled}
    page.close()
    return found


def visitor(app, auth, program, role: Role | None):
    if role is None:
        auth.logout()
        return None
    user = program["curator"] if role == Role.CURATOR else (
        program["persons"][0]["user"] if role == Role.AMBASSADOR else auth.create_user(Role.ADMIN))
    in_french(app, user.id)
    switch_to(auth, user)
    return user


@pytest.mark.parametrize("role", [Role.AMBASSADOR, Role.CURATOR, Role.ADMIN, None],
                         ids=["ambassador", "curator", "admin", "signed-out"])
def test_every_page_fits_a_phone(app, client, auth, program, world, phone, role):
    long_data(app, client, auth, program, world)
    visitor(app, auth, program, role)
    paths = html_pages(client, walk_urls(app, program))
    assert len(paths) >= (2 if role is None else 10), paths  # the walk did reach this role's pages
    with live_server(app) as base:
        if role is not None:
            share_session(phone, base, client)
        found = problems(phone, base, paths)
    assert not found, "\n".join(f"{path}: {what}" for path, what in found.items())


INSTANCE_HIDDEN = "document.querySelector('[data-mastodon-instance]').hidden"


def test_the_first_steps_fit_a_phone_and_the_instance_field_follows_mastodon(app, client, auth, phone):
    from test_onboarding import accept_charter

    with live_server(app) as base:
        auth.login_as(Role.AMBASSADOR, member=False, language="fr",
                      email="someone.with.a.rather.long.address@example.org")
        share_session(phone, base, client)
        assert problems(phone, base, ["/me/charter"]) == {}
        accept_charter(app, client)
        assert problems(phone, base, ["/welcome/consents", "/welcome/about"]) == {}
        page = phone.new_page()
        page.goto(base + "/welcome/about")
        assert page.evaluate(INSTANCE_HIDDEN) is True  # Mastodon not ticked: no field to puzzle over
        page.locator("[data-networks] input[value=mastodon]").check()
        assert page.evaluate(INSTANCE_HIDDEN) is False
        client.post("/welcome/skip")
        client.post("/me/leave")
        assert problems(phone, base, ["/me/left"]) == {}


NAV_ROW = """() => {
  const items = [...document.querySelectorAll("#site-nav > ul > li, #site-nav > form")];
  return {tops: items.map((el) => Math.round(el.getBoundingClientRect().top)),
          header: document.querySelector(".site-header").getBoundingClientRect().height};
}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_admin_menu_stays_on_one_row_on_a_desktop(app, client, auth, desktop, language):
    auth.login_as(Role.ADMIN, language=language)
    with live_server(app) as base:
        share_session(desktop, base, client)
        page = desktop.new_page()
        page.goto(base + "/login")  # signed in: sent home; the header of a page with little in it
        page.goto(base + "/")
        row = page.evaluate(NAV_ROW)
        assert len(row["tops"]) >= 5
        assert max(row["tops"]) - min(row["tops"]) <= 2, row  # a second row would start ~30 px lower
        assert row["header"] < 70, row  # one row: the header did not grow
        # The grouped entries open from the keyboard, without JavaScript of our own.
        page.locator("#site-nav details summary").first.focus()
        page.keyboard.press("Enter")
        menu = page.locator("#site-nav details[open] a").first
        assert menu.is_visible()


def test_the_phone_menu_opens_and_shows_every_entry(app, client, auth, phone):
    auth.login_as(Role.ADMIN, language="fr")
    with live_server(app) as base:
        share_session(phone, base, client)
        page = phone.new_page()
        page.goto(base + "/")
        nav = page.locator("#site-nav")
        assert not nav.is_visible()
        page.locator(".nav-toggle").click()
        assert nav.is_visible()
        assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "true"
        assert page.evaluate(OVERFLOW) == 0
        for summary in page.locator("#site-nav details summary").all():
            summary.click()
        links = page.locator("#site-nav a")
        assert links.count() >= 10
        assert [link.text_content() for link in links.all() if not link.is_visible()] == []

