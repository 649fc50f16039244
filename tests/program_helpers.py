"""Small helpers shared by the program-life tests (kit, calendar, feedback, surveys)."""

from __future__ import annotations

from advocacy.models import Role


def switch_to(auth, user) -> None:
    """Sign out whoever is signed in and sign in as ``user``."""
    # The passwords live beside the auth fixture. Reached through its globals
    # because "conftest" names two modules (tests/ and tests/content_feeds/).
    passwords = type(auth).login_as.__globals__["PASSWORDS"]
    auth.logout()
    response = auth.login(user.email, passwords[user.role])
    assert response.status_code == 302, response.data


def people(auth, role: Role, count: int, prefix: str = "person"):
    return [auth.create_user(role, email=f"{prefix}{i}@example.org", name=f"{prefix.title()} {i}")
            for i in range(count)]
