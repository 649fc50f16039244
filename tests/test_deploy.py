"""The deployment files of deploy/: systemd units that systemd accepts, a gunicorn configuration
that loads and serves, with the app's own request log and no access log of gunicorn's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_serve_logs import free_port, get, request_lines, wait_for_request_lines, wait_until_it_answers

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# The units' layout (docs/deploy.md) is /srv/relais/venv; here, the running virtual environment.
LAYOUT_VENV = "/srv/relais/venv"
VENV = Path(sys.executable).parent.parent


def test_there_is_a_unit_for_the_web_and_one_for_the_scheduler():
    assert [unit.name for unit in UNITS] == ["relais-scheduler.service", "relais-web.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(LAYOUT_VENV, str(VENV)))
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(path) for path in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=120)
    # Unknown keys are only warned about (exit 0): any word from it is a mistake in a unit.
    assert (result.returncode, result.stderr.strip()) == (0, "")


def gunicorn_env(app, port: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ADVOCACY_DATABASE_URL": app.config["DATABASE_URL"],
            "ADVOCACY_SECRET_KEY": "deploy-test", "ADVOCACY_LOG_FORMAT": "json",
            "RELAIS_BIND": f"127.0.0.1:{port}", "RELAIS_WORKERS": "1"}


def test_gunicorn_checks_the_configuration(app, tmp_path):
    command = [sys.executable, "-m", "gunicorn", "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py")]
    result = subprocess.run(command, env=gunicorn_env(app, free_port()), cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_gunicorn_with_the_configuration_serves_and_logs_each_request_once(app, tmp_path):
    port = free_port()
    stderr_file = tmp_path / "stderr"
    with stderr_file.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
                                   env=gunicorn_env(app, port), cwd=tmp_path, stdout=sink, stderr=sink)
    try:
        wait_until_it_answers(port, process)
        assert get(port, "/readyz") == 200, stderr_file.read_text()
        assert get(port, "/no/such/page") == 404, stderr_file.read_text()
        wait_for_request_lines(stderr_file, {("/readyz", 200), ("-", 404)})
    finally:
        process.terminate()
        process.wait(timeout=60)
    output = stderr_file.read_text()
    assert {(line["route"], line["status"]) for line in request_lines(output)} >= {("/readyz", 200), ("-", 404)}, output
    assert "/no/such/page" not in output  # gunicorn writes no access log of its own
    assert "127.0.0.1 " not in output and '"client"' not in output, output
