"""A redis-server of the test's own, on a free port, keeping nothing on disk.

Skipped where Debian's redis-server is not installed, except on CI and where
RELAIS_REQUIRE_BROWSER=1 asks for every tool (.ci/install-test-tools installs
it): missing there is a broken set-up, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from test_serve_logs import free_port

REQUIRED = bool(os.environ.get("CI")) or os.environ.get("RELAIS_REQUIRE_BROWSER") == "1"


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if REQUIRED:
            pytest.fail("redis-server is missing but required (.ci/install-test-tools installs it)")
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
