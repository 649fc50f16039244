"""Someone who left the program is told so on every page, keeps their rights, and may come back."""

from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, Purpose, Role
from advocacy.services import consent
from test_onboarding import EN, accept_charter, page
from test_personal_feed import publish, world  # noqa: F401


def left_at(app, user_id):
    with app.app_context():
        return get_session().get(AmbassadorProfile, user_id).left_at


def test_after_leaving_every_page_says_so(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post")
    response = client.post("/me/leave")
    assert response.headers["Location"] == "/me/left"
    html = page(client, "/me/left")
    assert "You have left the program" in html
    assert "What was kept" in html and "Nothing was erased" in html
    assert 'href="/me/data"' in html and 'href="/me/charter"' in html  # their data, and the way back
    for path in ("/", "/me/profile", "/me/shares", "/directory", f"/content/{content_id}/share", "/welcome/"):
        assert client.get(path).headers["Location"] == "/me/left", path
    # Their rights never depend on membership.
    assert client.get("/me/data").status_code == 200
    assert client.get("/me/data/export.json").status_code == 200
    assert client.get("/me/consents").status_code == 200
    assert left_at(app, user.id) is not None


def test_coming_back_by_the_charter_is_their_choice(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    client.post("/me/leave")
    charter = page(client, "/me/charter")
    assert "Welcome back" in charter and "The charter has changed" not in charter
    response = accept_charter(app, client)
    assert response.headers["Location"] == "/"  # onboarded before: straight back to the feed
    assert left_at(app, user.id) is None
    assert client.get("/").status_code == 200
    with app.app_context():
        assert consent.has_consent(get_session(), user.id, Purpose.MEMBERSHIP)


def test_the_left_page_is_only_for_those_who_left(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    assert client.get("/me/left", headers=EN).headers["Location"] == "/"
    auth.logout()
    auth.login_as(Role.AMBASSADOR, email="newcomer@example.org", member=False)
    assert client.get("/me/left").headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/me/charter"  # a newcomer is asked to join, not told they left


def test_leaving_twice_keeps_the_first_day_and_the_page(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    client.post("/me/leave")
    first = left_at(app, user.id)
    response = client.post("/me/leave")
    assert response.headers["Location"] == "/me/left" and left_at(app, user.id) == first
