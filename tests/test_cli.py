"""The advocacy command line."""

from advocacy.db import get_session
from advocacy.models import Role
from advocacy.services import accounts, demo


def test_create_admin(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "boss@example.org", "--name", "Boss"],
                           input="long enough pass\nlong enough pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.find_by_email(get_session(), "boss@example.org")
        assert user.role == Role.ADMIN


def test_create_admin_refuses_short_password_and_duplicates(app, runner):
    short = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A"], input="short\nshort\n")
    assert short.exit_code != 0 and "10 characters" in short.output
    runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A"], input="long enough pass\n" * 2)
    again = runner.invoke(
        args=["create-admin", "--email", "a@example.org", "--name", "A"], input="long enough pass\n" * 2
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_loads_once_and_prints_logins(app, runner, auth, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    email, password, _role = demo.DEMO_ACCOUNTS[0]
    assert email in first.output and password in first.output
    second = runner.invoke(args=["demo"])
    assert "not loaded again" in second.output
    with app.app_context():
        assert len(accounts.list_users(get_session())) == len(demo.DEMO_ACCOUNTS)
    assert auth.login(email, password).status_code == 302


def test_demo_never_touches_a_database_with_data(app, runner, auth):
    auth.create_user(Role.ADMIN, email="real@example.org")
    result = runner.invoke(args=["demo"])
    assert "not loaded again" in result.output
    assert demo.DEMO_ACCOUNTS[0][0] not in result.output
