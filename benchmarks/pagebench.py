"""What the page benchmarks share: gunicorn servers, wrk, signing in, statements and CPU per request.

The approach of benchmarks/feed.py, written once here for the page
benchmarks that came after it (benchmarks/staff_pages.py): pages measured
side by side with a bare Flask page in interleaved rounds (medians), and an
in-process CPU figure per request that other work on the machine does not
move much. Imported as ``benchmarks.pagebench``, so a script puts the project
root first on ``sys.path``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

PASSWORD = "bench-password"  # every generated account's (benchmarks/insights.py)


def start_gunicorn(factory: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """2 sync workers on a free port (benchmarks/links.py), with a timeout that a slow request survives."""
    from benchmarks.links import start_gunicorn as start

    return start(factory, env, "--timeout", "120")


def stop(servers: list[tuple[subprocess.Popen, int]]) -> None:
    for process, _port in servers:
        process.terminate()
        process.wait(timeout=30)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, cookie: str | None, connections: int, seconds: int,
        agent: str | None = None) -> dict[str, float]:
    """Requests per second, p50 and p99 (ms); any status other than 2xx/3xx fails the run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if agent:
        command += ["-H", f"User-Agent: {agent}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert not bad, f"{path}: {bad.group(1)} error responses\n{output}"
    drain(port)
    percentiles = {int(p): _ms(v, u) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", output)}
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": percentiles.get(50, float("nan")), "p99": percentiles.get(99, float("nan"))}


def drain(port: int) -> None:
    """Wait until the requests wrk left queued when it stopped are answered: a slow page's backlog
    would otherwise hold the workers (and the cores) during the next run. A sync worker takes
    connections in order, so an answer to each of two new ones means the queue ahead is done."""
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("HEAD", "/drained")
            connection.getresponse().read()
        finally:
            connection.close()


def session_cookie(port: int, email: str, password: str = PASSWORD, check: str = "/") -> str:
    """Sign in through the form as a browser would (its CSRF token included); returns the Cookie header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    connection.request("POST", "/login", urlencode({"email": email, "password": password, "csrf_token": token}),
                       {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    cookie = "; ".join(header.split(";", 1)[0] for header in response.msg.get_all("Set-Cookie") or [])
    # wrk counts a redirect as a success: make sure the cookie opens the pages.
    connection.request("GET", check, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
    # The first page with a form adds its CSRF token to the session, and a browser keeps the cookie
    # that says so. wrk sends one cookie for good: the sign-in's would make every measured request
    # generate a token and sign a new session cookie (Set-Cookie on each response), which no browser
    # does twice (found in the feed's fourth round; the staff pages' earlier figures had it too).
    jar = dict(part.split("=", 1) for part in cookie.split("; "))
    jar.update(header.split(";", 1)[0].split("=", 1) for header in response.msg.get_all("Set-Cookie") or [])
    cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
    connection.request("GET", check, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 200 and response.getheader("Set-Cookie") is None, response.msg
    return cookie


def signed_in_client(app, email: str, password: str = PASSWORD):
    """A test client signed in through the real form (CSRF on, as in production)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def statements(engine, request: Callable) -> int:
    """SQL statements one request executes (after the caller's warm-up)."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        status = request().status_code
        assert status < 400, status
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def cpu_per_request(requests: dict[str, Callable], repeat: int, rounds: int = 10) -> dict[str, float]:
    """Milliseconds of this process's CPU per request, after a warm-up: interleaved rounds, the median
    of each page's, so that a burst of load elsewhere slows one round of every page, not one page."""
    for request in requests.values():
        for _ in range(3):  # templates compiled, caches filled, as in a running server
            status = request().status_code
            assert status < 400, status
    per_round = max(1, repeat // rounds)
    times: dict[str, list[float]] = {label: [] for label in requests}
    for _ in range(rounds):
        for label, request in requests.items():
            started = time.process_time()
            for _ in range(per_round):
                request()
            times[label].append((time.process_time() - started) * 1000 / per_round)
    return {label: statistics.median(values) for label, values in times.items()}


def calls_per_request(requests: dict[str, Callable], repeat: int = 10) -> dict[str, float]:
    """Python function calls per request (cProfile's count): what the code does, whatever else the
    machine is doing; a steadier figure than time on a shared machine."""
    import cProfile
    import pstats

    counts = {}
    for label, request in requests.items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            request()
        profiler.disable()
        counts[label] = pstats.Stats(profiler).total_calls / repeat  # type: ignore[attr-defined]
    return counts


def in_child(script: str, env: dict[str, str], measure: str, **kwargs) -> dict:
    """Run ``script --child measure kwargs`` (an in-process measure, with the code of the checkout
    ``env`` names) and return the JSON its last line prints."""
    output = subprocess.run([sys.executable, script, "--child", measure, json.dumps(kwargs)],
                            env={**os.environ, "PYTHONSAFEPATH": "1", **env}, capture_output=True, text=True)
    if output.returncode:
        raise SystemExit(f"{measure} failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def print_load_table(results: dict[str, list[dict]], connections: int, seconds: int, rounds: int) -> None:
    print(f"\n| {connections} connections, {seconds} s, median of {rounds} | requests/s | × its bare page "
          "(same round) | p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|---:|")
    for label, runs in results.items():
        def median(key: str, runs=runs) -> float:
            return statistics.median(run[key] for run in runs)
        print(f"| {label} | {median('rate'):.0f} | {median('ratio'):.2f} | {median('p50'):.1f} "
              f"| {median('p99'):.1f} |")


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
