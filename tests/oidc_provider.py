"""A real OpenID Connect provider for the single sign-on tests: panva's certified
``oidc-provider`` from npm, run by Node on 127.0.0.1 (``tests/npm/oidc-provider.mjs``).

The package lives in ``tests/npm/node_modules`` (``.ci/install-test-tools`` runs
``npm ci``; never committed). Without Node or the package the tests are
skipped, except under ``RELAIS_REQUIRE_BROWSER=1`` (``.ci/run``), where a
missing tool fails the run, as for the browser tests (tests/browser.py).

``walk_provider`` plays the person at the provider with a plain HTTP client:
it follows the provider's redirects and submits its development login and
consent forms, and returns the address the provider sends the browser back
to, for the app's test client to open.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from browser import REQUIRED

NPM = Path(__file__).resolve().parent / "npm"
SCRIPT = NPM / "oidc-provider.mjs"
PACKAGE = NPM / "node_modules" / "oidc-provider" / "package.json"
NODE = shutil.which("node")

CLIENT_ID = "relais-tests"
CLIENT_SECRET = "a-client-secret-for-tests"
# The Flask test client's host: the app builds its callback address from the request.
REDIRECT_URI = "http://localhost/login/sso/callback"


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if NODE is None:
        return "Node.js is not installed"
    if not PACKAGE.exists():
        return "tests/npm/node_modules/oidc-provider is missing (.ci/install-test-tools installs it)"
    return None


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def settings(self, **extra) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret, **extra}


def start_provider(accounts: dict[str, bool], log: Path):
    """Start the provider with these accounts (e-mail → email_verified); yields it, then stops it."""
    reason = missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"RELAIS_REQUIRE_BROWSER=1 but: {reason}")
        pytest.skip(reason)
    settings = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri": REDIRECT_URI,
                "accounts": accounts}
    with log.open("w") as errors:
        process = subprocess.Popen([NODE, str(SCRIPT), json.dumps(settings)], cwd=NPM, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "ready <issuer>" once it listens, "" if it died
        if not line.startswith("ready "):
            process.wait(timeout=10)
            pytest.fail(f"the OpenID provider did not start: {line!r} {log.read_text()}")
        yield RunningProvider(issuer=line.split()[1])
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the script exits when its stdin ends
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def _submit(http: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    text = page.text
    form = _FORM.search(text)
    assert form, f"no form on the provider's page: {text[:500]}"
    data = {name: html.unescape(value) for name, value in _HIDDEN.findall(text)}
    return http.post(urljoin(str(page.url), html.unescape(form.group(1))), data={**data, **fields})


def walk_provider(address: str, login: str, *, consent: bool = True) -> str:
    """Sign in at the provider as ``login`` and return where it sends the browser back
    (the app's callback with a code, or with an error when ``consent`` is False:
    the person pressed "cancel")."""
    provider = urlsplit(address).netloc
    with httpx.Client(timeout=10) as http:
        response = http.get(address)
        for _step in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["Location"])
                if urlsplit(location).netloc != provider:
                    return location
                response = http.get(location)
            elif 'name="prompt" value="login"' in response.text:
                response = _submit(http, response, login=login, password="any")
            elif 'name="prompt" value="consent"' in response.text:
                if not consent:
                    abort = re.search(r'href="([^"]*/abort)"', response.text)
                    assert abort, response.text[:500]
                    response = http.get(urljoin(str(response.url), html.unescape(abort.group(1))))
                else:
                    response = _submit(http, response)
            else:
                raise AssertionError(f"unexpected page at the provider ({response.status_code}): {response.text[:500]}")
    raise AssertionError("the provider never sent the browser back")
