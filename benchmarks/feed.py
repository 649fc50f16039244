"""Personal feed and share panel benchmark: gunicorn against a bare Flask page, statements, size curve.

    .venv/bin/python benchmarks/feed.py                      # SQLite, in a temporary folder
    .venv/bin/python benchmarks/feed.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_feed --reset

The PostgreSQL database is emptied (its public schema dropped) before each
data set: never point it at data you care about. Three parts:

1. Load. The data set of benchmarks/insights.py (2,000 ambassadors, 20,000
   contents, 1,000,000 share events, 2,000,000 click-day rows; --scale for
   less), each ambassador with 2 needs and 3 topics. Two gunicorn servers (2
   sync workers): the app, and a bare Flask page rendering the same 10 rows
   from one trivial query on the same database. wrk (16 connections) drives
   the bare page, the share panel (GET /content/<id>/share) and the home
   feed (GET /), one after the other in the same run. Prints requests per
   second, the ratio to the bare page, p50 and p99.
2. Statements: the SQL statements one request of each page executes
   (an SQLAlchemy event listener, through the test client).
3. Curve: one feed request (median of --repeat, test client) on data sets of
   1,000, 20,000 and 100,000 contents (10 share events per content).

Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --before: the app of another checkout (main, say), measured beside this one
# on the same data; its code is imported from there (the servers, the child
# processes of the in-process measures).
ENV_APP_ROOT = "BENCH_FEED_APP_ROOT"
if __name__ == "__main__":
    # The project root instead of this folder: `benchmarks.*` and this checkout's `advocacy`.
    sys.path[0] = str(ROOT)
if __import__("os").environ.get(ENV_APP_ROOT):
    sys.path.insert(0, __import__("os").environ[ENV_APP_ROOT])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from benchmarks import pagebench  # noqa: E402

ENV_URL, ENV_INSTANCE = "BENCH_FEED_DATABASE_URL", "BENCH_FEED_INSTANCE"
PASSWORD = "bench-password"
BARE_ROWS = 10  # the feed's page size
ROUNDS = 10  # CPU per request: interleaved rounds, median


# --- the two apps, as gunicorn loads them ("benchmarks.feed:real_app()") -----

def _config() -> dict:
    return {"DATABASE_URL": os.environ[ENV_URL], "SECRET_KEY": "bench-feed", "RATELIMIT_ENABLED": False}


def real_app():
    from advocacy import create_app

    return create_app(_config(), instance_path=os.environ[ENV_INSTANCE])


def bare_app():
    """The floor: Flask, one engine, one trivial query, a template with the same number of rows."""
    from flask import Flask, render_template_string
    from sqlalchemy import create_engine, text

    app = Flask("bare")
    engine = create_engine(os.environ[ENV_URL])
    page = ("<!doctype html><html><body><ul>{% for row in rows %}<li><h2>{{ row.title }}</h2>"
            "<p>{{ row.summary }}</p><a href='{{ row.target_url }}'>{{ row.publish_at }}</a></li>"
            "{% endfor %}</ul></body></html>")

    @app.get("/bare")
    def bare():
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, title, summary, target_url, publish_at FROM contents ORDER BY id LIMIT :n"),
                {"n": BARE_ROWS}).all()
        return render_template_string(page, rows=rows)

    return app


# --- data ----------------------------------------------------------------------

def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(url: str, instance: str, scale: float, **sizes) -> tuple[str, int]:
    """Migrate and generate; returns the bench ambassador's e-mail and a shareable content id."""
    from sqlalchemy import func, select

    from advocacy import create_app, jobs, migrate
    from advocacy.db import get_engine, get_session
    from advocacy.models import Content, Role, User
    from benchmarks.insights import analyze, generate

    if url.startswith("postgresql"):
        reset_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-feed"}, instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        # Profiles with needs and topics, and the sequences past the loaded ids: the service's.
        generate(session, datetime.now(UTC), scale, **sizes)
        users = list(session.scalars(select(User.id).where(User.role == Role.AMBASSADOR).order_by(User.id)))
        analyze(session)
        # The milestones' row, as the scheduler writes it at its start (jobs.compute_shared_figures);
        # a --before checkout without the job computes them in its requests, as it did.
        print(f"  shared figures: {jobs.compute_shared_figures()}")
        email = session.scalar(select(User.email).where(User.id == users[0]))
        newest = session.scalar(select(func.max(Content.id)))
        print(f"  generated {session.scalar(select(func.count(Content.id)))} contents "
              f"in {time.perf_counter() - started:.0f} s")
        get_engine().dispose()
    return email, newest


# --- measuring -----------------------------------------------------------------

def signed_in_client(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def statements_per_request(url: str, instance: str, email: str, paths: list[str]) -> dict[str, int]:
    from advocacy import create_app
    from advocacy.db import get_engine

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-feed", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False}, instance_path=instance)
    client = signed_in_client(app, email)
    counts = {}
    for path in paths:
        assert client.get(path).status_code == 200  # warm-up: caches filled as in a running server
        with app.app_context():
            engine = get_engine()
        statements = pagebench.statements(engine, lambda path=path: client.get(path))
        counts[path] = statements
    with app.app_context():
        get_engine().dispose()
    return counts


def single_request_ms(url: str, instance: str, email: str, path: str, repeat: int) -> float:
    from advocacy import create_app
    from advocacy.db import get_engine

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-feed", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False}, instance_path=instance)
    client = signed_in_client(app, email)
    assert client.get(path).status_code == 200
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    with app.app_context():
        get_engine().dispose()
    return statistics.median(times)


def cpu_per_request(url: str, instance: str, email: str, paths: dict[str, str], repeat: int,
                    profile: bool = False) -> dict[str, float]:
    """Milliseconds of this process's CPU per request (test client, after a warm-up), the bare page
    included: unlike wrk's rates, robust to what else runs on the machine."""
    from advocacy.db import get_engine

    os.environ[ENV_URL], os.environ[ENV_INSTANCE] = url, instance
    app = real_app()
    bare = bare_app().test_client()
    client = pagebench.signed_in_client(app, email, PASSWORD)
    requests = {"bare Flask page": lambda: bare.get("/bare")}
    requests.update({label: (lambda path=path: client.get(path)) for label, path in paths.items()})
    results = pagebench.cpu_per_request(requests, repeat, ROUNDS)
    if profile:
        import cProfile
        import pstats

        for label, request in requests.items():
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(20):
                request()
            profiler.disable()
            print(f"\n### profile: {label} (20 requests)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "45")))
    with app.app_context():
        get_engine().dispose()
    return results


def _servers(url: str, instance: str, before: str | None) -> dict[str, dict[str, str]]:
    """The app servers to start: this checkout's ("after") and, with --before, the other's."""
    env = {ENV_URL: url, ENV_INSTANCE: instance}
    apps = {"after": {**env, ENV_APP_ROOT: ""}}
    if before:
        apps = {"before": {**env, ENV_APP_ROOT: before}, **apps}
    return apps


def load(url: str, instance: str, email: str, paths: dict[str, str], args) -> None:
    """wrk on the bare page and on each page of each app, interleaved, ``--rounds`` times: medians."""
    bare = pagebench.start_gunicorn("benchmarks.feed:bare_app()", {ENV_URL: url, ENV_INSTANCE: instance})
    started = {name: pagebench.start_gunicorn("benchmarks.feed:real_app()", env)
               for name, env in _servers(url, instance, args.before).items()}
    try:
        cookies = {name: pagebench.session_cookie(port, email, PASSWORD) for name, (_process, port) in started.items()}
        for name, (_process, port) in started.items():
            for path in paths.values():  # warm-up: imports, template compilation, connection pools
                pagebench.wrk(port, path, cookies[name], 2, 2)
        pagebench.wrk(bare[1], "/bare", None, 2, 2)
        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            floor = pagebench.wrk(bare[1], "/bare", None, args.connections, args.seconds)
            results.setdefault("bare", []).append({**floor, "ratio": 1.0})
            for label, path in paths.items():
                for name, (_process, port) in started.items():
                    result = pagebench.wrk(port, path, cookies[name], args.connections, args.seconds)
                    results.setdefault(f"{label}, {name}", []).append(
                        {**result, "ratio": result["rate"] / floor["rate"]})
        pagebench.print_load_table(results, args.connections, args.seconds, args.rounds)
        print(f"load average after the load: {pagebench.load_average()}")
    finally:
        pagebench.stop([bare, *started.values()])


def in_app(app_root: str | None, measure: str, **kwargs) -> dict:
    """Run one in-process measure in a child process importing the app from ``app_root`` (None: here)."""
    env = {**os.environ, ENV_APP_ROOT: app_root or "", "PYTHONSAFEPATH": "1"}
    output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", measure, json.dumps(kwargs)],
                            env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def child(measure: str, kwargs: str) -> None:
    measures = {"cpu": cpu_per_request, "statements": statements_per_request, "single": single_request_ms}
    print(json.dumps(measures[measure](**json.loads(kwargs))))


def run(url: str | None, label: str, args) -> None:
    def database(folder: str, name: str) -> str:
        return url or f"sqlite:///{folder}/{name}.sqlite3"

    apps = {"before": args.before, "after": None} if args.before else {"after": None}
    with tempfile.TemporaryDirectory(prefix="relais-bench-feed-") as folder:
        print(f"\n## {label}")
        if not args.curve_only:
            full = database(folder, "full")
            email, content_id = build(full, folder, args.scale)
            # The panel first: a slow page's requests left queued when wrk stops
            # would still hold the workers during the next run.
            paths = {"share panel": f"/content/{content_id}/share", "personal feed": "/"}
            for name, root in apps.items():
                counts = in_app(root, "statements", url=full, instance=folder, email=email,
                                paths=list(paths.values()))
                print(f"\nstatements per request ({name}): "
                      + ", ".join(f"{k} {counts[v]}" for k, v in paths.items()))
            print(f"\n| CPU per request, in-process, median of {ROUNDS} rounds (ms) | bare | panel | feed "
                  "| panel × bare | feed × bare |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, root in apps.items():
                cpu = in_app(root, "cpu", url=full, instance=folder, email=email, paths=paths, repeat=args.cpu_repeat)
                bare, panel, feed = cpu["bare Flask page"], cpu["share panel"], cpu["personal feed"]
                print(f"| {name} | {bare:.2f} | {panel:.2f} | {feed:.2f} | {panel / bare:.1f} | {feed / bare:.1f} |",
                      flush=True)
            load(full, folder, email, paths, args)
        print("\n| contents | " + " | ".join(f"one feed request, median (ms), {name} | statements, {name}"
                                             for name in apps) + " |")
        print("|---:|" + "---:|---:|" * len(apps))
        for contents in args.curve:
            name = f"curve{contents}"
            email, _ = build(database(folder, name), folder, 1.0, contents=contents, shares=10 * contents,
                             clicks=0)
            cells = []
            for root in apps.values():
                ms = in_app(root, "single", url=database(folder, name), instance=folder, email=email, path="/",
                            repeat=args.repeat)
                counts = in_app(root, "statements", url=database(folder, name), instance=folder, email=email,
                                paths=["/"])
                cells += [f"{ms:.1f}", str(counts["/"])]
            print(f"| {contents:,} | {' | '.join(cells)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="run on this PostgreSQL database (its schema is dropped)")
    parser.add_argument("--reset", action="store_true", help="agree to drop the PostgreSQL public schema")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the load data set")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9, help="curve: timed requests per size")
    parser.add_argument("--curve", type=int, nargs="*", default=[1_000, 20_000, 100_000])
    parser.add_argument("--curve-only", action="store_true", help="skip the load part")
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="also measure the app of this checkout (e.g. main), on the same data, in the same run")
    parser.add_argument("--rounds", type=int, default=3, help="load: wrk rounds (medians)")
    parser.add_argument("--cpu-repeat", type=int, default=200, help="CPU per request: requests per page")
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
        return
    args = parser.parse_args()
    if args.pg:
        if not args.reset:
            sys.exit("pass --reset: the PostgreSQL public schema is dropped before each data set")
        run(args.pg, "PostgreSQL", args)
    else:
        run(None, "SQLite", args)


if __name__ == "__main__":
    main()
