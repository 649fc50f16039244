"""Tracked link benchmark: /s/<code> under gunicorn against a bare Flask redirect.

    .venv/bin/python benchmarks/links.py                       # SQLite, in a temporary folder
    .venv/bin/python benchmarks/links.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_links --reset

Both servers are gunicorn with the same settings (2 sync workers, no access
log): the real app on a fresh migrated database holding one published
content, and a bare Flask app whose only route answers the same 302 without
counting. Each round loads one then the other (the order alternates) with
wrk, or with a Python load generator when wrk is missing (Debian: apt-get
install wrk), at a fixed concurrency and duration. Prints requests per
second of both, the ratio, and their medians over the rounds.

Counting is then checked twice: after every wrk run, the stored clicks must
be at least the 302s wrk received (the few more are requests still in flight
when wrk hung up, which the server finished); and a fixed-count phase sends
an exact number of browser and preview-agent requests from several threads,
which must be stored exactly: zero lost counts.

The PostgreSQL database must be empty (or pass --reset to drop its public
schema first: never point it at data you care about).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    # The project root instead of this folder: `benchmarks.*` and this checkout's `advocacy`
    # (the virtual environment's editable install may be another checkout's).
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from datetime import timedelta  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PREVIEW_AGENTS = ["LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
                  "Twitterbot/1.0", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0",
                  "http.rb/5.1.1 (Mastodon/4.2.8; +https://piaille.fr/)", "Bluesky Cardyb/1.1",
                  "WhatsApp/2.23.20.0 A", "Discordbot/2.0", "TelegramBot (like TwitterBot)"]
# Read by the two app factories below, in the gunicorn workers.
# Seconds to wait before reading the counters: the default interval of the
# workers' click writers (config TRACKED_LINK_WRITE_SECONDS, 1 s) and a margin.
WRITER_WAIT = 2.5
ENV_URL, ENV_INSTANCE, ENV_LOCATION = "BENCH_LINKS_DATABASE_URL", "BENCH_LINKS_INSTANCE", "BENCH_LINKS_LOCATION"


# --- the two apps, as gunicorn loads them ("benchmarks.links:real_app()") ----

def real_app():
    from advocacy import create_app

    return create_app({"DATABASE_URL": os.environ[ENV_URL], "SECRET_KEY": "bench-links"},
                      instance_path=os.environ[ENV_INSTANCE])


def bare_app():
    """The floor: Flask routing and the same 302, no database, no hooks."""
    from flask import Flask, redirect

    app = Flask("bare")
    location = os.environ[ENV_LOCATION]

    @app.get("/s/<code>")
    def follow(code: str):
        return redirect(location, 302)

    return app


# --- set-up -------------------------------------------------------------------

def prepare(url: str, instance: str) -> tuple[str, str, int]:
    """Migrate, publish one content; return its x link's code, target and id."""
    from sqlalchemy import select

    from advocacy import create_app, migrate
    from advocacy.db import get_engine, get_session
    from advocacy.models import TrackedLink, utcnow
    from advocacy.services import contents
    from advocacy.services.sharing import campaign_url

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-links"}, instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        now = utcnow()
        content = contents.create_content(session, contents.ContentDraft(
            title="Solar roofs in Lyon", summary="", target_url="https://example.org/solar?ref=feed",
            publish_at=now - timedelta(hours=1), expires_at=None, highlighted=False, need_ids=[],
            topic_ids=[], texts={"x": ["Solar roofs"]}), None, now)
        session.commit()
        link = session.scalar(select(TrackedLink).where(TrackedLink.content_id == content.id,
                                                        TrackedLink.network == "x"))
        location = campaign_url(content.target_url, "x", content.slug)
        get_engine().dispose()
    return link.code, location, link.id


def stored_counts(url: str, link_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine

    from advocacy.services import clicks

    engine = create_engine(url)
    with engine.connect() as connection:
        result = clicks.totals(connection, link_id)
    engine.dispose()
    return result


def reset_postgres(url: str, force: bool) -> None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    with engine.begin() as connection:
        if inspect(connection).get_table_names() and not force:
            sys.exit("the PostgreSQL database is not empty: pass --reset to drop its public schema")
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(factory: str, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers on a free port, once it answers (any status)."""
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "--chdir", str(ROOT), "--workers", "2", "--worker-class", "sync", *extra,
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning", factory],
        env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD", "/s/warmup")
            connection.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn {factory} did not start")


# --- load ----------------------------------------------------------------------

def wrk_load(port: int, code: str, connections: int, seconds: float) -> tuple[float, int]:
    """(requests per second, 302 responses received) from wrk."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"User-Agent: {BROWSER}",
         f"http://127.0.0.1:{port}/s/{code}"], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, total - (int(bad.group(1)) if bad else 0)


def one_request(port: int, path: str, agent: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"User-Agent": agent})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def python_load(port: int, code: str, connections: int, seconds: float) -> tuple[float, int]:
    """The fallback: threads that each send, wait, repeat, until the time is up."""
    stop = time.monotonic() + seconds
    redirects = [0] * connections

    def visitor(slot: int) -> None:
        while time.monotonic() < stop:
            if one_request(port, f"/s/{code}", BROWSER) == 302:
                redirects[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=visitor, args=(slot,)) for slot in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(redirects) / (time.monotonic() - started), sum(redirects)


def exact_load(port: int, code: str, threads: int, per_thread: int) -> tuple[int, int]:
    """Send a known number of requests, one in ten from a preview agent; (browser, preview) 302s."""
    def visitor(slot: int) -> tuple[int, int]:
        people = previews = 0
        for n in range(per_thread):
            preview = (slot * per_thread + n) % 10 == 0
            agent = PREVIEW_AGENTS[n % len(PREVIEW_AGENTS)] if preview else BROWSER
            if one_request(port, f"/s/{code}", agent) == 302:
                previews += preview
                people += not preview
        return people, previews

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(visitor, range(threads)))
    return sum(r[0] for r in results), sum(r[1] for r in results)


# --- the run -------------------------------------------------------------------

def run(url: str, label: str, args) -> dict:
    instance = tempfile.mkdtemp(prefix="relais-bench-links-")
    code, location, link_id = prepare(url, instance)
    env = {ENV_URL: url, ENV_INSTANCE: instance, ENV_LOCATION: location}
    load = wrk_load if shutil.which("wrk") and not args.python_load else python_load
    real, real_port = start_gunicorn("benchmarks.links:real_app()", env)
    bare, bare_port = start_gunicorn("benchmarks.links:bare_app()", env)
    rates: dict[str, list[float]] = {"real": [], "bare": []}
    received = 0
    try:
        received += load(real_port, code, args.connections, 1)[1]  # warm-up, counted like the rest
        load(bare_port, code, args.connections, 1)
        print(f"\n## {label}: {load.__name__}, {args.connections} connections, {args.seconds} s per run, "
              f"{args.rounds} rounds")
        print("\n| round | bare Flask (req/s) | /s/<code> (req/s) | ratio |")
        print("|---:|---:|---:|---:|")
        for round_number in range(1, args.rounds + 1):
            order = ("real", "bare") if round_number % 2 else ("bare", "real")
            for which in order:
                rate, redirects = load(real_port if which == "real" else bare_port, code,
                                       args.connections, args.seconds)
                rates[which].append(rate)
                if which == "real":
                    received += redirects
            print(f"| {round_number} | {rates['bare'][-1]:.0f} | {rates['real'][-1]:.0f} | "
                  f"{rates['real'][-1] / rates['bare'][-1]:.2f} |")
        # Let the workers finish what wrk left in flight, and their click
        # writers write it (every TRACKED_LINK_WRITE_SECONDS).
        time.sleep(WRITER_WAIT)
        after_load, _ = stored_counts(url, link_id)
        people, previews = exact_load(real_port, code, args.threads, args.per_thread)
        time.sleep(WRITER_WAIT)
        stored_people, stored_previews = stored_counts(url, link_id)
    finally:
        for process in (real, bare):
            process.terminate()
            process.wait(10)
        shutil.rmtree(instance, ignore_errors=True)

    bare_median, real_median = statistics.median(rates["bare"]), statistics.median(rates["real"])
    ratios = [r / b for r, b in zip(rates["real"], rates["bare"], strict=True)]
    exact_people = stored_people - after_load
    print(f"\nmedians: bare {bare_median:.0f} req/s, /s/<code> {real_median:.0f} req/s, "
          f"ratio of medians {real_median / bare_median:.2f}, median of ratios {statistics.median(ratios):.2f}")
    print(f"timed load: {received} redirects received, {after_load} clicks stored "
          f"({after_load - received} more: requests in flight when the load generator stopped)")
    print(f"fixed-count load: {people} browser + {previews} preview requests sent and answered 302; "
          f"stored {exact_people} clicks + {stored_previews} previews")
    lost = max(0, received - after_load) + (people - exact_people) + (previews - stored_previews)
    print(f"lost counts: {lost}" + ("" if lost == 0 else "  <-- COUNTS LOST"))
    return {"ratio": real_median / bare_median, "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5, help="duration of each timed run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="fixed-count phase: concurrent visitors")
    parser.add_argument("--per-thread", type=int, default=250, help="fixed-count phase: requests per visitor")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is here")
    parser.add_argument("--pg", metavar="URL", help="also run on this (empty) PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL public schema first")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    args = parser.parse_args()
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            results.append(run(f"sqlite:///{folder}/bench.sqlite3", "SQLite", args))
    if args.pg:
        reset_postgres(args.pg, args.reset)
        results.append(run(args.pg, "PostgreSQL", args))
    if any(r["ratio"] < 0.5 or r["lost"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
