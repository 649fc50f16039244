"""What the layout and the cards are built with, kept per process for speed (issue 13), gives what
Flask, Werkzeug and Jinja give: the same addresses, the same navigation per role and language,
the same translated strings, escaped the same way."""

import re

import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale

from advocacy.models import Role
from advocacy.models.base import MAX_ID
from advocacy.templating import navigation
from advocacy.urls import fast_url_for


@pytest.mark.parametrize("endpoint, values", [
    ("sharing.panel", {"content_id": 5}),
    ("ambassador.dismiss", {"content_id": 1234}),
    ("sharing.thanks", {"share_id": 42}),
    ("main.home", {"page": 2}),  # not a route value: a query string, built by url_for
    ("main.home", {}),
    ("sharing.panel", {"content_id": 0}),
    ("sharing.panel", {"content_id": MAX_ID}),
    ("static", {"filename": "css/relais.css"}),
])
@pytest.mark.parametrize("mounted_at", ["", "/relais"])
def test_template_url_for_gives_url_for_s_address(app, endpoint, values, mounted_at):
    for _ in range(2):  # the second time from what the first one kept
        with app.test_request_context("/", base_url=f"http://relais.example{mounted_at}"):
            assert fast_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert fast_url_for(endpoint, **values).startswith(f"{mounted_at}/")


def test_template_url_for_refuses_what_url_for_refuses(app):
    with app.test_request_context("/"):
        with pytest.raises(Exception) as by_werkzeug:
            url_for("sharing.panel")
        with pytest.raises(type(by_werkzeug.value)):
            fast_url_for("sharing.panel")
        # A string where an id goes is url_for's to build (or refuse), never pasted in.
        assert fast_url_for("sharing.panel", content_id="7") == url_for("sharing.panel", content_id="7")


def test_the_feed_cards_link_to_their_own_content(app, client, auth):
    from test_personal_feed import publish

    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Card")
    page = client.get("/").get_data(as_text=True)
    assert f'href="/content/{content_id}/share"' in page
    assert f'action="/me/feed/{content_id}/dismiss"' in page


def _nav_links(page: str) -> list[str]:
    nav = page[page.index('<nav id="site-nav"'):page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def test_navigation_is_each_role_s_own_in_each_language(app, client, auth):
    ambassador = auth.login_as(Role.AMBASSADOR, email="amb@example.org")
    links = _nav_links(client.get("/kit/").get_data(as_text=True))
    assert ("/", "Accueil") in links and not any(url.startswith("/curation") for url, _label in links)
    assert '<a href="/kit/" aria-current="page">' in client.get("/kit/").get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/kit/"})
    assert ("/", "Home") in _nav_links(client.get("/kit/").get_data(as_text=True))
    auth.logout()
    auth.login_as(Role.CURATOR, email="cur@example.org")
    curator_links = _nav_links(client.get("/kit/").get_data(as_text=True))
    assert ("/curation/queue", "File de tri") in curator_links
    with app.test_request_context("/"):
        assert navigation() == []  # nobody signed in
    assert ambassador.role == Role.AMBASSADOR


def test_template_strings_follow_the_locale_forced_for_an_e_mail(app, client, auth):
    auth.login_as(Role.AMBASSADOR)  # French
    with app.test_request_context("/"):
        from flask_login import login_user

        from advocacy.db import get_session
        from advocacy.models import User

        login_user(get_session().query(User).one())
        assert render_template_string('{{ _("Home") }}') == "Accueil"
        with force_locale("en"):
            assert render_template_string('{{ _("Home") }}') == "Home"
        assert render_template_string('{{ _("Home") }}') == "Accueil"


def test_template_strings_are_formatted_and_escaped_as_jinja_does(app):
    with app.test_request_context("/"):
        page = render_template_string(
            '{{ _("100%% <b>sure</b>") }}|{{ _("Hello %(name)s", name="<x>") }}|{{ _("plain <i>") }}')
    assert page == "100% <b>sure</b>|Bonjour &lt;x&gt;|plain <i>"  # French: nobody signed in, no browser choice


def test_addresses_outside_a_request_are_url_for_s(app):
    from advocacy.templating import fixed_url

    app.config["SERVER_NAME"] = "relais.example"
    try:
        with app.app_context():
            assert fast_url_for("sharing.panel", content_id=3) == url_for("sharing.panel", content_id=3)
            assert fixed_url("main.home") == url_for("main.home")
    finally:
        app.config["SERVER_NAME"] = None
