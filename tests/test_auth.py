"""Signing in and out."""

import pytest

from advocacy.db import get_session
from advocacy.models import Role, User
from advocacy.services import accounts


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_and_logout(client, auth):
    user = auth.create_user(Role.CURATOR)
    response = auth.login(user.email, "curator-password")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert b"Test Curator" in client.get("/").data
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(client, auth):
    auth.create_user(Role.AMBASSADOR, email="Camille@Example.org")
    assert auth.login("  camille@EXAMPLE.org ", "ambassador-password").status_code == 302


def test_wrong_email_and_wrong_password_get_the_same_message(client, auth):
    auth.create_user(Role.AMBASSADOR)
    wrong_password = auth.login("ambassador@example.org", "not-the-password", headers={"Accept-Language": "en"})
    wrong_email = auth.login("nobody@example.org", "ambassador-password", headers={"Accept-Language": "en"})
    assert wrong_password.status_code == wrong_email.status_code == 200
    assert b"Wrong e-mail or password." in wrong_password.data
    # Same page apart from the per-request CSRF token: compare the error only.
    assert (
        wrong_password.data.count(b"Wrong e-mail or password.")
        == wrong_email.data.count(b"Wrong e-mail or password.")
    )
    # What was typed stays in the form.
    assert b'value="nobody@example.org"' in wrong_email.data


def test_session_is_cleared_at_login(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(user.email, "ambassador-password")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id) and session["session_token"]


@pytest.mark.parametrize("target,expected", [
    ("/admin/users", "/admin/users"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_only_local_next_targets_are_followed(client, auth, target, expected):
    user = auth.create_user(Role.AMBASSADOR)
    response = client.post("/login", data={"email": user.email, "password": "ambassador-password", "next": target})
    assert response.headers["Location"] == expected


def test_deactivated_user_cannot_sign_in(client, auth, app):
    user = auth.create_user(Role.AMBASSADOR)
    with app.app_context():
        session = get_session()
        session.get(User, user.id).active = False
        session.commit()
    response = auth.login(user.email, "ambassador-password")
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_deactivation_ends_open_sessions(client, auth, app):
    admin = auth.create_user(Role.ADMIN)
    user = auth.login_as(Role.AMBASSADOR)
    assert client.get("/").status_code == 200
    with app.app_context():
        session = get_session()
        accounts.set_active(session, session.get(User, user.id), False, acting=session.get(User, admin.id))
        session.commit()
    assert client.get("/").status_code == 302


def test_logout_needs_post(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_password_is_stored_as_argon2_hash(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    assert user.password_hash.startswith("$argon2id$")
    assert "ambassador-password" not in user.password_hash
