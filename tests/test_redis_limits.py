"""Sign-in limits kept in Redis (RATELIMIT_STORAGE_URI=redis://…) hold across workers.

Runs its own redis-server (tests/redis_server.py).
"""

from __future__ import annotations

from redis_server import redis_url  # noqa: F401  (a fixture)

VISITOR = "198.51.100.7"


def worker(build_app, database_url: str, redis_url: str):
    """One web worker's app, as gunicorn builds it in each process."""
    return build_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url,
                     LOGIN_RATE_LIMIT="2 per minute")


def sign_in(app):
    return app.test_client().post("/login", data={"email": "nobody@example.org", "password": "wrong password"},
                                  environ_base={"REMOTE_ADDR": VISITOR})


def test_the_login_limit_is_counted_in_redis_and_holds_across_workers(database_url, redis_url, build_app):
    import redis

    first = worker(build_app, database_url, redis_url)
    assert sign_in(first).status_code != 429
    counters = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in counters.keys("*")]
    assert any("login" in key for key in keys), keys  # the attempt was counted in Redis
    second = worker(build_app, database_url, redis_url)  # another worker, same Redis
    assert sign_in(second).status_code != 429
    assert sign_in(first).status_code == 429  # the third attempt, wherever it lands
    assert sign_in(second).status_code == 429
    counters.close()
