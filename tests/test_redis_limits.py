"""Sign-in limits kept in Redis (RATELIMIT_STORAGE_URI=redis://…) hold across workers.

Runs its own redis-server on a free port, keeping nothing on disk; skipped
where Debian's redis-server is not installed, except on CI (.ci/install-test-tools installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from test_serve_logs import free_port

VISITOR = "198.51.100.7"


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):  # .ci/run installs it: missing there is a broken set-up, not a skip
            pytest.fail("redis-server is missing on CI (.ci/install-test-tools installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    import redis

    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _attempt in range(300):  # until it answers (bounded)
            assert server.poll() is None, "redis-server stopped at start"
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


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
