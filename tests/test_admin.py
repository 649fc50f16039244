"""Admin pages: list people, change roles, deactivate and reactivate."""

from advocacy.db import get_session
from advocacy.models import Role, User


def test_admin_lists_people(client, auth):
    auth.login_as(Role.ADMIN)
    auth.create_user(Role.AMBASSADOR, email="camille@example.org", name="Camille Martin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Camille Martin" in html and "camille@example.org" in html


def test_non_admins_are_refused(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/1/role", data={"role": "admin"}).status_code == 403


def test_change_role(app, client, auth):
    auth.login_as(Role.ADMIN)
    user = auth.create_user(Role.AMBASSADOR)
    assert client.post(f"/admin/users/{user.id}/role", data={"role": "curator"}).status_code == 302
    with app.app_context():
        assert get_session().get(User, user.id).role == Role.CURATOR


def test_unknown_role_is_refused(app, client, auth):
    auth.login_as(Role.ADMIN)
    user = auth.create_user(Role.AMBASSADOR)
    client.post(f"/admin/users/{user.id}/role", data={"role": "superuser"})
    with app.app_context():
        assert get_session().get(User, user.id).role == Role.AMBASSADOR


def test_last_admin_cannot_be_demoted(app, client, auth):
    admin = auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "ambassador"}, follow_redirects=True,
                           headers={"Accept-Language": "en"})
    assert b"at least one active administrator" in response.data
    with app.app_context():
        assert get_session().get(User, admin.id).role == Role.ADMIN


def test_deactivate_and_reactivate(app, client, auth):
    auth.login_as(Role.ADMIN)
    user = auth.create_user(Role.AMBASSADOR)
    client.post(f"/admin/users/{user.id}/deactivate")
    with app.app_context():
        assert get_session().get(User, user.id).active is False
    client.post(f"/admin/users/{user.id}/activate")
    with app.app_context():
        assert get_session().get(User, user.id).active is True


def test_admin_cannot_deactivate_self(app, client, auth):
    admin = auth.login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/deactivate")
    with app.app_context():
        assert get_session().get(User, admin.id).active is True


def test_unknown_user_is_404(client, auth):
    auth.login_as(Role.ADMIN)
    assert client.post("/admin/users/99999/deactivate").status_code == 404
