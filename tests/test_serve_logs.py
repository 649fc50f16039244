"""`advocacy serve` as an operator runs it: its stderr has one JSON line per request, no address."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from advocacy import logs
from test_links import link_code
from test_personal_feed import publish

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> int:
    """The status, redirects not followed (a tracked link leads off this machine)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_it_answers(port: int, process: subprocess.Popen) -> None:
    for _attempt in range(600):  # bounded: at most about a minute
        assert process.poll() is None, "advocacy serve stopped before answering"
        try:
            get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("advocacy serve never answered")


def request_lines(stderr: str) -> list[dict]:
    """The request log's lines (complete ones: the server may be writing the last)."""
    lines = [json.loads(line) for line in stderr.split("\n")[:-1] if line.startswith("{")]
    return [line for line in lines if line["logger"] == logs.REQUEST_LOGGER]


def wait_for_request_lines(stderr_file: Path, expected: set[tuple[str, int]]) -> None:
    """Each line is written once its response is sent, just after the client has it."""
    for _attempt in range(600):  # bounded
        if expected <= {(line["route"], line["status"]) for line in request_lines(stderr_file.read_text())}:
            return
        time.sleep(0.1)


def test_advocacy_serve_writes_one_json_line_per_request_with_the_route_template(app, tmp_path):
    code = link_code(app, publish(app, "Post"))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVOCACY_DATABASE_URL": app.config["DATABASE_URL"],
           "ADVOCACY_SECRET_KEY": "serve-test", "ADVOCACY_LOG_FORMAT": "json", "ADVOCACY_LOG_LEVEL": "INFO"}
    stderr_file = tmp_path / "stderr"
    with stderr_file.open("w") as stderr_sink:
        process = subprocess.Popen(
            [sys.executable, "-c", "from advocacy.cli import main; main()", "serve", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr_sink)
    try:
        wait_until_it_answers(port, process)
        assert get(port, f"/s/{code}") == 302, stderr_file.read_text()
        assert get(port, "/readyz") == 200, stderr_file.read_text()
        expected = {("/s/<path:code>", 302), ("/readyz", 200)}
        wait_for_request_lines(stderr_file, expected)
    finally:
        process.terminate()
        process.wait(timeout=60)
    stderr = stderr_file.read_text()
    requests = request_lines(stderr)
    assert expected <= {(line["route"], line["status"]) for line in requests}, stderr
    assert all(set(line) >= {"time", "level", "method", "route", "status", "duration_ms"} for line in requests)
    assert code not in stderr and "127.0.0.1 " not in stderr and '"client"' not in stderr, stderr
