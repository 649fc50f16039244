"""Fixtures: app, client, runner, auth, on SQLite (default) or PostgreSQL.

With TEST_DATABASE_URL set, every test runs against that PostgreSQL database:
the schema is rebuilt from the migrations once per run and every table is
emptied after each test. Otherwise each test gets its own copy of a SQLite
database migrated once per run.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

import advocacy
from advocacy import create_app, feed_settings, migrate
from advocacy.blueprints import links
from advocacy.db import get_engine, get_session
from advocacy.extensions import limiter
from advocacy.models import Base, Purpose, Role
from advocacy.services import accounts, ambassadors, clock, consent, onboarding, passwords
from browser import _browser_required, chromium, desktop, phone  # noqa: F401  (one Chromium for the whole run)
from feed_server import feed_server  # noqa: F401  (a fixture shared by all tests)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
SHARED_FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "feeds"

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_FROM": "Relais <relais@example.org>",
    # argon2's cheapest cost: production strength spent three quarters of the
    # suite's CPU time. RELAIS_TEST_PASSWORD_HASH=RFC_9106_LOW_MEMORY runs the
    # suite at production strength (benchmarks/test_suite_cpu.py compares both).
    "PASSWORD_HASH_PROFILE": os.environ.get("RELAIS_TEST_PASSWORD_HASH", "CHEAPEST"),
    # Tests change the data between two views of a page: no cached figures
    # (tests/test_feed_statements.py and tests/test_insights_cache.py turn the caches on).
    "MILESTONES_CACHE_SECONDS": 0,
    "INSIGHTS_CACHE_SECONDS": 0,
}


def pytest_sessionstart(session) -> None:
    """Stop before the first test when a catalog is not compiled or is stale.

    The app reads .mo files and no longer compiles them at start (an installed
    package may be read-only); without this, missing French would show up as
    failures on pages far from the cause.
    """
    translations = Path(advocacy.__file__).parent / "translations"
    stale = [str(po.relative_to(translations)) for po in sorted(translations.glob("*/LC_MESSAGES/*.po"))
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        pytest.exit(f"catalogs missing or older than their .po: {', '.join(stale)}. Run `make catalogs` "
                    "(or: python scripts/compile_catalogs.py advocacy/translations/*/LC_MESSAGES/*.po)",
                    returncode=pytest.ExitCode.USAGE_ERROR)


def _migrate(url: str, instance: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url}, instance_path=str(instance))
    migrate.upgrade(app)
    with app.app_context():
        get_engine().dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """A URL (PostgreSQL) or a template file path (SQLite) at the latest migration."""
    instance = tmp_path_factory.mktemp("migrate-instance")
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(TEST_DATABASE_URL, instance)
        _remember_seed_rows(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{template}", instance)
    return str(template)


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    if TEST_DATABASE_URL:
        return migrated_database
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change settings."""
    return {}


# Apps reused from test to test, one per configuration. Building one costs
# about 45 ms of CPU (Werkzeug compiles a URL builder per rule), more than
# most tests take; every test still gets its own fresh database, instance
# folder and configuration as built (tests may change it). An app with rate
# limits on is always built anew: the limiter extension keeps its state
# (storage, on/off) from the last app built. RELAIS_TEST_FRESH_APPS=1 builds
# one per test (benchmarks/suite_cpu.py measures both).
_APPS: dict[str, tuple[Flask, dict]] = {}
REUSE_APPS = not os.environ.get("RELAIS_TEST_FRESH_APPS")


@pytest.fixture
def app(database_url, tmp_path, app_config):
    instance = tmp_path / "instance"
    config = {**BASE_CONFIG, "DATABASE_URL": database_url, **app_config}
    reusable = REUSE_APPS and config.get("RATELIMIT_ENABLED") is False
    key = repr(sorted((name, repr(value)) for name, value in config.items() if name != "DATABASE_URL"))
    if reusable and key in _APPS:
        application, built = _APPS[key]
        _rebind(application, built, database_url, instance)
    else:
        application = create_app(config, instance_path=str(instance))
        if reusable:
            _APPS[key] = (application, copy.deepcopy(dict(application.config)))
    yield application
    links.close(application)  # its clicks written now, not into the next test's tables
    with application.app_context():
        engine = get_engine()
        if TEST_DATABASE_URL:
            _empty_all_tables(engine)
        engine.dispose()


def _rebind(application: Flask, built: dict, database_url: str, instance: Path) -> None:
    """A reused app as create_app left it, on this test's database and instance folder."""
    application.config.clear()  # the links app shares this object
    application.config.update(copy.deepcopy(built))
    application.config["DATABASE_URL"] = database_url
    application.instance_path = str(instance)
    instance.mkdir(parents=True, exist_ok=True)
    passwords.configure(application.config["PASSWORD_HASH_PROFILE"], testing=True)
    limiter.enabled = False  # as this app built it; a later app may have switched it on
    advocacy.db.bind(application)  # (`db` is a fixture here)
    feed_settings.init_app(application)
    links.bind(application.extensions[links.APP_KEY])


# Rows the migrations themselves insert (default texts, needs): put back after
# each test's TRUNCATE so every test starts from a freshly migrated database.
SEED_ROWS: dict[str, list[dict]] = {}


def _remember_seed_rows(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in connection.execute(table.select())]
            if rows:
                SEED_ROWS[table.name] = rows
    engine.dispose()


def _empty_all_tables(engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in Base.metadata.sorted_tables:
            if table.name in SEED_ROWS:
                connection.execute(table.insert(), SEED_ROWS[table.name])
                if "id" in table.c:  # keep the sequence past the seeded ids
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM \"{table.name}\"))"))


@pytest.fixture(autouse=True)
def logging_as_pytest_set_it():
    """An app built without TESTING configures the root logger (logs.configure):
    put it back after the test, so that its handler does not write into later tests' output."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def build_app(tmp_path):
    """Apps of a test's own, each on the database URL it is given (not the shared app
    the ``app`` fixture hands out); their connections are closed after the test."""
    built: list[Flask] = []

    def build(database_url: str, **config) -> Flask:
        application = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, **config},
                                 instance_path=str(tmp_path / f"instance-{len(built)}"))
        built.append(application)
        return application

    yield build
    for application in built:
        links.close(application)
        with application.app_context():
            if TEST_DATABASE_URL and application.config["DATABASE_URL"] == TEST_DATABASE_URL:
                _empty_all_tables(get_engine())  # the shared PostgreSQL database: left as ``app`` leaves it
            get_engine().dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session inside an app context, for arranging and checking data."""
    with app.app_context():
        yield get_session()


PASSWORDS = {Role.ADMIN: "admin-password", Role.CURATOR: "curator-password",
             Role.AMBASSADOR: "ambassador-password"}


class AuthActions:
    def __init__(self, app, client):
        self._app = app
        self._client = client

    def create_user(self, role: Role = Role.AMBASSADOR, email: str | None = None,
                    name: str | None = None, password: str | None = None, member: bool = True,
                    onboarded: bool = True, **extra):
        """A user; an ambassador has accepted the current charter unless member=False, and has
        finished the guided first steps unless onboarded=False."""
        with self._app.app_context():
            session = get_session()
            user = accounts.create_user(
                session, email=email or f"{role.value}@example.org",
                name=name or f"Test {role.value.title()}",
                password=password or PASSWORDS[role], role=role, **extra,
            )
            if role == Role.AMBASSADOR and member:
                charter = consent.current_text(session, Purpose.MEMBERSHIP, user.language or "fr")
                today = clock.program_today(self._app.config["TIMEZONE"])
                ambassadors.accept_charter(session, user, charter, today)
                if onboarded:
                    onboarding.finish(session, user.id, clock.now())
            session.commit()
            return user

    def login(self, email: str, password: str, **kwargs):
        return self._client.post("/login", data={"email": email, "password": password}, **kwargs)

    def login_as(self, role: Role, **kwargs):
        """Create a user with this role and sign in as them; returns the user."""
        user = self.create_user(role, **kwargs)
        response = self.login(user.email, kwargs.get("password") or PASSWORDS[role])
        assert response.status_code == 302, response.data
        return user

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)
