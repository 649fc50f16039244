"""/healthz and /readyz: cheap, no session, no personal data; 503 with a reason when not ready."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from advocacy import health, jobs, migrate
from advocacy.db import get_engine, get_session
from advocacy.models import Role, SchedulerLease, utcnow

PATHS = ["/healthz", "/readyz"]


@pytest.mark.parametrize("path", PATHS)
def test_answers_without_a_session_or_a_cookie_even_for_a_signed_in_browser(client, auth, path):
    auth.login_as(Role.ADMIN)
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"]
    assert response.json["status"] in ("alive", "ready")


def test_readiness_names_nothing_about_anyone(client, auth):
    user = auth.create_user(Role.ADMIN, email="someone@example.org")
    body = client.get("/readyz").get_data(as_text=True)
    assert "example.org" not in body and str(user) not in body
    assert client.get("/readyz").json == {"status": "ready"}


def test_other_methods_are_refused(client):
    response = client.post("/readyz")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_a_database_that_does_not_answer_makes_the_worker_unready_but_alive(build_app, tmp_path):
    # A file in a folder that does not exist: SQLite cannot open it.
    app = build_app(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unready", "reason": "database unreachable"}


def test_a_database_behind_the_migrations_makes_the_worker_unready(build_app, tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(app, "0019")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"].startswith("database schema at 0019, code expects ")
    migrate.upgrade(app)
    assert app.test_client().get("/readyz").status_code == 200


def test_a_schema_newer_than_the_code_leaves_the_old_workers_ready(app, client):
    """`advocacy db upgrade` of a new release runs before the old workers are reloaded."""
    def stamp(revision: str) -> None:
        with app.app_context(), get_engine().begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})

    stamp("9999_from_a_newer_release")
    try:
        assert client.get("/readyz").json == {"status": "ready"}
    finally:  # the table outlives the test on PostgreSQL
        stamp(health.migration_scripts().get_current_head())


class TestWithASchedulerExpected:
    @pytest.fixture
    def app_config(self):
        return {"SCHEDULER_EXPECTED": True}

    def test_an_expected_scheduler_must_hold_a_fresh_lease(self, app, client):
        assert client.get("/readyz").json == {"status": "unready", "reason": "no scheduler holds a fresh lease"}
        with app.app_context():
            assert jobs.acquire_lease()
        assert client.get("/readyz").status_code == 200
        with app.app_context():
            session = get_session()
            session.get(SchedulerLease, jobs.LEASE_NAME).expires_at = utcnow() - timedelta(seconds=1)
            session.commit()
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json["reason"] == "no scheduler holds a fresh lease"
