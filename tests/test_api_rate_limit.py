"""The API's rate limit is per token: a busy token gets 429 problems, others are untouched.

Counted in memory, and in Redis across two workers (tests/redis_server.py runs
a real redis-server), as RATELIMIT_STORAGE_URI chooses.
"""

from __future__ import annotations

import hashlib

import pytest

from advocacy.models import Role
from api_helpers import get, staff_token
from redis_server import redis_url  # noqa: F401  (a fixture)

LIMIT = {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def app_config():
    return LIMIT


def test_a_token_over_its_limit_gets_429_problems_and_another_token_does_not(app, client, auth):
    admin = auth.create_user(Role.ADMIN)
    busy, quiet = staff_token(app, admin, name="Busy"), staff_token(app, admin, name="Quiet")
    for _ in range(3):
        get(client, "/api/v1/feeds", busy, "FeedList")
    body = get(client, "/api/v1/feeds", busy, status=429).get_json()
    assert body["code"] == "rate_limited"
    get(client, "/api/v1/feeds", quiet, "FeedList")  # the same address, another token: its own count
    response = get(client, "/api/v1/contents", busy, status=429)  # the limit covers the whole API
    assert response.headers.get("Retry-After")


def test_made_up_tokens_from_one_address_are_limited_together(app, client, auth):
    admin = auth.create_user(Role.ADMIN)
    valid = staff_token(app, admin)
    for attempt in range(3):
        get(client, "/api/v1/feeds", f"relais_made-up-{attempt}", status=401)
    get(client, "/api/v1/feeds", "relais_made-up-again", status=429)
    other_address = app.test_client()
    response = other_address.get("/api/v1/feeds", headers={"Authorization": f"Bearer {valid}"},
                                  environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 200  # another address, a valid token: untouched


def test_the_limit_is_counted_in_redis_by_the_tokens_hash_across_workers(database_url, redis_url, build_app,
                                                                           auth_free_admin):
    import redis

    first = build_app(database_url, RATELIMIT_STORAGE_URI=redis_url, **LIMIT)
    second = build_app(database_url, RATELIMIT_STORAGE_URI=redis_url, **LIMIT)
    token = staff_token(first, auth_free_admin(first))
    for worker in (first, second, first):
        get(worker.test_client(), "/api/v1/feeds", token, "FeedList")
    get(second.test_client(), "/api/v1/feeds", token, status=429)
    counters = redis.Redis.from_url(redis_url)
    keys = " ".join(key.decode() for key in counters.keys("*"))
    counters.close()
    assert hashlib.sha256(token.encode()).hexdigest()[:32] in keys and token not in keys


@pytest.fixture
def auth_free_admin():
    """An admin created straight through the service, on a given app's database."""
    from advocacy.db import get_session
    from advocacy.services import accounts

    def create(application):
        with application.app_context():
            session = get_session()
            user = accounts.create_user(session, email="admin@example.org", name="Ada", password="admin-password",
                                        role=Role.ADMIN)
            session.commit()
            return user

    return create
