"""Thanks to the whole network, and the program pages in the navigation."""

import pytest

from advocacy.models import Role
from program_helpers import switch_to


def test_curator_thanks_the_network_and_ambassadors_see_it_at_home(client, auth):
    auth.login_as(Role.CURATOR)
    assert client.post("/thanks/", data={"message": "120 posts shared this month, thank you all!"}).status_code == 302
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    assert "120 posts shared this month" in client.get("/").get_data(as_text=True)
    assert "120 posts shared this month" in client.get("/thanks/").get_data(as_text=True)


def test_ambassadors_cannot_post_thanks(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.post("/thanks/", data={"message": "Hi"}).status_code == 403
    assert client.post("/thanks/1/delete").status_code == 403


def test_empty_thanks_are_refused(client, auth):
    auth.login_as(Role.CURATOR)
    assert client.post("/thanks/", data={"message": ""}).status_code == 400


@pytest.mark.parametrize("role,present,absent", [
    (Role.AMBASSADOR, ["/kit/", "/calendar/", "/feedback/", "/surveys/", "/thanks/"],
     ["/feedback/inbox", "/surveys/manage"]),
    (Role.CURATOR, ["/kit/", "/calendar/", "/feedback/inbox", "/surveys/manage", "/thanks/"], []),
])
def test_navigation_per_role(client, auth, role, present, absent):
    auth.login_as(role)
    nav = client.get("/").get_data(as_text=True).split('id="site-nav"')[1].split("</nav>")[0]
    for path in present:
        assert f'href="{path}"' in nav
    for path in absent:
        assert f'href="{path}"' not in nav


@pytest.mark.parametrize("path", ["/kit/", "/calendar/", "/feedback/", "/feedback/decisions", "/surveys/",
                                  "/thanks/"])
def test_program_pages_have_no_inline_script_or_style(client, auth, path):
    auth.login_as(Role.AMBASSADOR)
    html = client.get(path).get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and " onclick=" not in html
