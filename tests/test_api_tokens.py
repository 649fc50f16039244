"""API tokens: the admin's and the ambassador's pages, and when a token stops working."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import ApiToken, Role
from api_helpers import get, personal_token, staff_token
from program_helpers import switch_to

TOKEN = re.compile(r'value="(relais_[A-Za-z0-9_-]+)"')


def token_count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(ApiToken))


def test_an_admin_creates_a_staff_token_shown_once_and_revokes_it(app, client, auth):
    auth.login_as(Role.ADMIN, language="en")
    response = client.post("/admin/api-tokens", data={"name": "Monthly report",
                                                      "scopes": ["insights:read", "feeds:read"]})
    assert response.status_code == 200
    [token] = TOKEN.findall(response.get_data(as_text=True))
    get(client, "/api/v1/feeds", token, "FeedList")
    get(client, "/api/v1/contents", token, status=403)  # only the scopes chosen
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Monthly report" in listing and token not in listing  # never shown again
    with app.app_context():
        row = get_session().scalars(select(ApiToken)).one()
        assert row.token_hash != token and token not in row.token_hash and row.scopes == "insights:read feeds:read"
    assert client.post(f"/admin/api-tokens/{row.id}/revoke").status_code == 302
    get(client, "/api/v1/feeds", token, status=401)
    assert client.post(f"/admin/api-tokens/{row.id}/revoke").status_code == 404  # a repeat: nothing left


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "scopes": ["feeds:read"]}, "Give the token a name"),
    ({"name": "Report"}, "Choose at least one scope"),
    ({"name": "x" * 81, "scopes": ["feeds:read"]}, "at most 80 characters"),
    ({"name": "Report", "scopes": ["me:read"]}, "is not a valid choice"),
])
def test_a_refused_staff_token_keeps_what_was_typed_and_creates_nothing(app, client, auth, data, message):
    auth.login_as(Role.ADMIN, language="en")
    response = client.post("/admin/api-tokens", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and not TOKEN.search(html)
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert token_count(app) == 0


@pytest.mark.parametrize("role", [Role.CURATOR, Role.AMBASSADOR])
def test_only_admins_reach_the_staff_token_page(client, auth, role):
    auth.login_as(role)
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.post("/admin/api-tokens", data={"name": "x", "scopes": ["feeds:read"]}).status_code == 403


def test_an_ambassador_creates_and_revokes_their_own_token(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    response = client.post("/me/api-tokens", data={"name": "My reader"})
    [token] = TOKEN.findall(response.get_data(as_text=True))
    assert get(client, "/api/v1/me/data", token, "PersonalData").get_json()["account"]["email"] == \
        "ambassador@example.org"
    with app.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    assert "My reader" in client.get("/me/api-tokens").get_data(as_text=True)
    assert client.post(f"/me/api-tokens/{token_id}/revoke").status_code == 302
    get(client, "/api/v1/me/data", token, status=401)


def test_a_repeated_creation_makes_no_second_token(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    form = client.get("/me/api-tokens").get_data(as_text=True)
    intent = re.search(r'name="intent" value="([^"]+)"', form).group(1)
    first = client.post("/me/api-tokens", data={"name": "Reader", "intent": intent})
    assert TOKEN.search(first.get_data(as_text=True))
    again = client.post("/me/api-tokens", data={"name": "Reader", "intent": intent})
    assert again.status_code == 302 and token_count(app) == 1


def test_a_guessed_id_of_someone_elses_token_is_404_and_changes_nothing(app, client, auth):
    owner = auth.create_user(Role.AMBASSADOR, email="owner@example.org")
    theirs = personal_token(app, owner)
    with app.app_context():
        their_id = get_session().scalar(select(ApiToken.id))
    auth.login_as(Role.AMBASSADOR, email="guesser@example.org")
    assert client.post(f"/me/api-tokens/{their_id}/revoke").status_code == 404
    assert client.post(f"/me/api-tokens/{their_id + 1}/revoke").status_code == 404
    get(client, "/api/v1/me/data", theirs, "PersonalData")
    auth.logout()
    # Nor does an admin's page reach a personal token.
    auth.login_as(Role.ADMIN)
    assert client.post(f"/admin/api-tokens/{their_id}/revoke").status_code == 404
    get(client, "/api/v1/me/data", theirs, "PersonalData")


def test_staff_cannot_make_a_personal_token(client, auth):
    auth.login_as(Role.ADMIN)
    assert client.get("/me/api-tokens").status_code == 403


def test_a_token_stops_when_its_ambassador_leaves(app, client, auth):
    ambassador = auth.login_as(Role.AMBASSADOR)
    token = personal_token(app, ambassador)
    get(client, "/api/v1/me/suggestions", token, "Suggestions")
    client.post("/me/leave")
    get(client, "/api/v1/me/suggestions", token, status=401)
    assert token_count(app) == 0  # revoked: coming back does not bring it back to life


def test_tokens_are_deleted_with_the_erased_account(app, client, auth):
    ambassador = auth.login_as(Role.AMBASSADOR)
    token = personal_token(app, ambassador)
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.status_code == 302
    assert token_count(app) == 0
    get(client, "/api/v1/me/data", token, status=401)


def test_a_staff_token_stops_when_its_admin_is_deactivated_or_no_longer_admin(app, client, auth):
    creator = auth.create_user(Role.ADMIN, email="creator@example.org")
    token = staff_token(app, creator)
    get(client, "/api/v1/feeds", token, "FeedList")
    other_admin = auth.create_user(Role.ADMIN, email="other-admin@example.org")
    switch_to(auth, other_admin)
    client.post(f"/admin/users/{creator.id}/role", data={"role": "curator"})
    get(client, "/api/v1/feeds", token, status=401)
    client.post(f"/admin/users/{creator.id}/role", data={"role": "admin"})
    get(client, "/api/v1/feeds", token, "FeedList")
    client.post(f"/admin/users/{creator.id}/deactivate")
    get(client, "/api/v1/feeds", token, status=401)


def test_a_staff_token_of_a_demoted_admin_is_still_listed_and_revocable(app, client, auth):
    creator = auth.create_user(Role.ADMIN, email="creator@example.org")
    staff_token(app, creator, name="Old report")
    switch_to(auth, auth.create_user(Role.ADMIN, email="other-admin@example.org"))
    client.post(f"/admin/users/{creator.id}/role", data={"role": "curator"})
    assert "Old report" in client.get("/admin/api-tokens").get_data(as_text=True)
    with app.app_context():
        token_id = get_session().scalar(select(ApiToken.id))
    assert client.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 302
    assert token_count(app) == 0
