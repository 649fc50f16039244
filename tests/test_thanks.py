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


def test_an_ambassador_menu_is_direct_links_and_staff_menus_group_the_program(client, auth):
    auth.login_as(Role.AMBASSADOR)
    nav = client.get("/").get_data(as_text=True).split('id="site-nav"')[1].split("</nav>")[0]
    assert "<details" not in nav and 'href="/kit/"' in nav
    auth.logout()
    auth.login_as(Role.ADMIN)
    nav = client.get("/").get_data(as_text=True).split('id="site-nav"')[1].split("</nav>")[0]
    groups = nav.split("<details")[1:]
    assert len(groups) == 2  # "Program" and "Administration"
    assert 'href="/kit/"' in groups[0] and 'href="/admin/users"' in groups[1]


@pytest.mark.parametrize("path", ["/kit/", "/calendar/", "/feedback/", "/feedback/decisions", "/surveys/",
                                  "/thanks/"])
def test_program_pages_have_no_inline_script_or_style(client, auth, path):
    auth.login_as(Role.AMBASSADOR)
    html = client.get(path).get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and " onclick=" not in html
