"""Single sign-on: what Relais spends on one sign-in, with and without its provider cache.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/sso.py [--rounds 30]

Starts the real OpenID Connect provider of the tests (panva's oidc-provider
under Node, ``tests/npm/node_modules``; ``.ci/install-test-tools``) on a free
loopback port, and an app on a temporary SQLite database with one account.
Each round signs that account in through the whole flow and signs it out;
only Relais's two requests are timed (``/login/sso`` and the callback, each
including its calls to the provider), not the person's pages at the
provider. Rounds go through three ways of doing it, in turn:

- as shipped: discovery and keys as a worker holds them after its first
  sign-in (``services/sso.METADATA_TTL``), so the callback calls the provider
  twice (token, UserInfo); one TLS context per process (``sso._tls``);
- without the cache: both forgotten before each request, as if every request
  met a worker that never saw the provider: discovery at the start,
  discovery and keys again at the callback, then token and UserInfo (five
  calls);
- the first version: the cache, but a new TLS context (the CA certificates
  loaded again) for each HTTP client, one per request.

Prints the median of each, its ratio to the shipped way, and the provider
calls counted by a transport that wraps httpx's. The provider runs on this
machine, so a call costs a loopback round trip and Node's work; a provider
across the internet adds its latency to each call, which the cache saves.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path[0:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402

from advocacy import create_app, migrate  # noqa: E402
from advocacy.db import get_session  # noqa: E402
from advocacy.models import Role  # noqa: E402
from advocacy.services import accounts, sso  # noqa: E402
from oidc_provider import missing, start_provider, walk_provider  # noqa: E402

EMAIL = "ada@example.org"


class CountingTransport(httpx.HTTPTransport):
    calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        CountingTransport.calls += 1
        return super().handle_request(request)


def client_factory(shared_tls: bool):
    def http_client() -> httpx.Client:
        verify = sso._tls() if shared_tls else httpx.create_ssl_context()
        return httpx.Client(timeout=sso.HTTP_TIMEOUT, follow_redirects=False,
                            transport=CountingTransport(verify=verify))
    return http_client


# name -> (discovery and keys cached, one TLS context per process)
WAYS = {"as shipped": (True, True), "without the cache": (False, True), "first version": (True, False)}


def one_sign_in(client, *, cached: bool, shared_tls: bool) -> tuple[float, int]:
    """Seconds Relais spent on one sign-in, and the provider calls it made."""
    calls_before = CountingTransport.calls
    with mock.patch.object(sso, "http_client", client_factory(shared_tls)):
        if not cached:
            sso.forget_metadata()
        started = time.perf_counter()
        start = client.get("/login/sso")
        spent = time.perf_counter() - started
        assert start.status_code == 302, start.get_data(as_text=True)
        back = walk_provider(start.headers["Location"], EMAIL)
        if not cached:
            sso.forget_metadata()
        started = time.perf_counter()
        answer = client.get(back)
        spent += time.perf_counter() - started
    assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.get_data(as_text=True)
    client.post("/logout")
    return spent, CountingTransport.calls - calls_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    arguments = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"cannot run: {reason}")
    with tempfile.TemporaryDirectory() as folder:
        providers = start_provider({EMAIL: True}, Path(folder) / "provider.log")
        provider = next(providers)
        try:
            app = create_app({"SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                              "DATABASE_URL": f"sqlite:///{folder}/b.sqlite3",
                              **provider.settings()}, instance_path=f"{folder}/instance")
            migrate.upgrade(app)
            with app.app_context():
                accounts.create_user(get_session(), email=EMAIL, name="Ada", password="benchmark-password",
                                     role=Role.CURATOR)
                get_session().commit()
            client = app.test_client()
            times: dict[str, list[float]] = {name: [] for name in WAYS}
            calls: dict[str, int] = {}
            one_sign_in(client, cached=True, shared_tls=True)  # warm up: the first sign-in fills the cache
            for _round in range(arguments.rounds):
                for name, (cached, shared_tls) in WAYS.items():
                    spent, calls[name] = one_sign_in(client, cached=cached, shared_tls=shared_tls)
                    times[name].append(spent)
        finally:
            next(providers, None)  # stops the provider
    shipped = statistics.median(times["as shipped"])
    print(f"{arguments.rounds} sign-ins each way, Relais's two requests (start + callback), median:")
    for name in WAYS:
        median = statistics.median(times[name])
        print(f"  {name:18} {median * 1000:7.1f} ms  x{median / shipped:.2f}  {calls[name]} provider calls")

if __name__ == "__main__":
    main()
