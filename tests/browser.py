"""Real-browser tests: Playwright driving Debian's Chromium, and the app on a live port.

Playwright comes from PyPI (the test extras) and never downloads a browser:
it launches the system's ``/usr/bin/chromium``. The npm test tools (axe-core,
the Nu HTML Checker, Lighthouse) live in ``tests/npm/node_modules``, put
there by ``.ci/install-test-tools`` and never committed.

Where Chromium or a tool is missing the tests are skipped, except when
``RELAIS_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then a missing tool fails
the run, so CI cannot pass by skipping the browser.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NPM_TOOLS = Path(__file__).resolve().parent / "npm" / "node_modules"
AXE_SCRIPT = NPM_TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = NPM_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NPM_TOOLS / ".bin" / "lighthouse"
REQUIRED = os.environ.get("RELAIS_REQUIRE_BROWSER") == "1"

# Without these, Chromium tries to reach Google's services at every start,
# and this machine's closed network refuses them many times over.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def missing(*paths: Path) -> str | None:
    """Why a browser test cannot run here, or None."""
    if CHROMIUM is None:
        return "Chromium is not installed (.ci/install-test-tools installs it)"
    reason = _playwright_missing()
    if reason:
        return reason
    for path in paths:
        if not path.exists():
            return f"{path.relative_to(NPM_TOOLS.parent.parent)} is missing (.ci/install-test-tools installs it)"
    return None


def needs(*paths: Path) -> pytest.MarkDecorator:
    """Skip (or, in CI, fail) the test when Chromium or one of these tools is missing."""
    reason = missing(*paths)
    if reason and REQUIRED:
        # Failing at collection time would stop the whole run; a failing
        # test says what is missing and lets the others run.
        return pytest.mark.browser_missing(reason)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


@pytest.fixture(autouse=True)
def _browser_required(request) -> None:
    marker = request.node.get_closest_marker("browser_missing")
    if marker is not None:
        pytest.fail(f"RELAIS_REQUIRE_BROWSER=1 but {marker.args[0]}")


# Each test module that imports the fixture gets its own session-scoped copy,
# but a second sync_playwright() in the same run fails ("Sync API inside the
# asyncio loop"): the first copy started keeps the browser, the others share it.
_RUNNING: list = []


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the whole run (a context per test keeps them apart).

    Registered once, by conftest.py: a test module importing it would get a
    second session fixture, and a second Playwright inside the first fails.
    """
    if _RUNNING:
        yield _RUNNING[0]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _RUNNING.append(browser)
        try:
            yield browser
        finally:
            _RUNNING.clear()
            browser.close()


@pytest.fixture
def phone(chromium):
    """A fresh browser context the size of a phone, touch enabled."""
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    yield context
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    yield context
    context.close()


@contextmanager
def live_server(app) -> Iterator[str]:
    """The app on an ephemeral loopback port, for as long as the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def share_session(context, base: str, client) -> None:
    """Give the browser context the Flask test client's signed-in session cookie."""
    context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": base}])


def sign_in(page, base: str, email: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(base + "/login")
    page.get_by_label("E-mail", exact=False).first.fill(email)
    page.locator("input[type=password]").first.fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def lighthouse(url: str, categories: list[str], headers: dict[str, str] | None = None) -> dict:
    """One Lighthouse run (its default: a throttled mobile phone) on Debian's Chromium.

    Returns ``{"scores": {category: 0..1}, "failing": {category: [audit ids]}, "url": the
    page's final address}`` (a page that redirected shows it):
    the failing audits are those that count in a category's score and did not
    get full marks.
    """
    import json
    import subprocess

    command = [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
               f"--only-categories={','.join(categories)}",
               f"--chrome-flags=--headless {' '.join(CHROMIUM_ARGS)}"]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                               env={**os.environ, "CHROME_PATH": CHROMIUM or ""})
    if completed.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    scores, failing = {}, {}
    for key, category in report["categories"].items():
        scores[key] = category["score"]
        failing[key] = [ref["id"] for ref in category["auditRefs"]
                        if ref.get("weight") and (report["audits"][ref["id"]].get("score") or 0) < 1]
    return {"scores": scores, "failing": failing, "url": report["finalDisplayedUrl"]}
