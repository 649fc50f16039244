"""Staff pages and personal data (issue 14): the curation queue, insights and /s/<code> under load
beside a bare Flask page, and a person's export and erasure at 1,000 to 100,000 shares.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/staff_pages.py --before /tmp/staffperf-before
    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/staff_pages.py --before /tmp/staffperf-before \
        --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_staff --reset

The PostgreSQL database is emptied (its public schema dropped): never point
it at data you care about. Data: `advocacy demo-data`'s service at full size
(2,000 ambassadors, 20,000 contents, 1,000,000 shares, 2,000,000 click-days;
--scale for less), plus --queue-items feed items for the queue (90 % new, the
generator of benchmarks/curation_queue.py), roll-ups built by the job's code.

1. Statements and in-process CPU per request (test client, interleaved
   rounds, medians): the bare page, the queue, insights; for this checkout
   and, with --before, another one (main), on the same data.
2. Load: gunicorn (2 sync workers) for the bare app and for each checkout;
   wrk with 16 connections, in interleaved rounds: the bare page (25 rows,
   the queue's page size, from one trivial query) against the queue and
   insights, and the bare app's 302 against /s/<code>. Medians of the rounds.
3. Personal data: three ambassadors given 1,000, 10,000 and 100,000
   attributed shares in the same database; ``personal_data.export`` and
   ``personal_data.erase`` (with its commit) timed for each.

Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_APP_ROOT = "BENCH_STAFF_APP_ROOT"  # --before: the checkout whose `advocacy` is imported
if __name__ == "__main__":
    # The project root instead of this folder: `benchmarks.*` and this checkout's `advocacy`.
    sys.path[0] = str(ROOT)
if __import__("os").environ.get(ENV_APP_ROOT):
    sys.path.insert(0, __import__("os").environ[ENV_APP_ROOT])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from benchmarks import pagebench  # noqa: E402

ENV_URL, ENV_INSTANCE, ENV_LOCATION = "BENCH_STAFF_DATABASE_URL", "BENCH_STAFF_INSTANCE", "BENCH_STAFF_LOCATION"
CURATOR = "curator@bench.example"
BARE_ROWS = 25  # services.queue.PAGE_SIZE
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SCRIPT = str(Path(__file__).resolve())


# --- the apps, as gunicorn loads them ("benchmarks.staff_pages:real_app()") ------

def _config() -> dict:
    return {"DATABASE_URL": os.environ[ENV_URL], "SECRET_KEY": "bench-staff", "RATELIMIT_ENABLED": False}


def real_app():
    from advocacy import create_app

    return create_app(_config(), instance_path=os.environ[ENV_INSTANCE])


def bare_app():
    """The floor: Flask, one engine, one trivial query into a page of the queue's rows; and the same 302."""
    from flask import Flask, redirect, render_template_string
    from sqlalchemy import create_engine, text

    app = Flask("bare")
    engine = create_engine(os.environ[ENV_URL])
    page = ("<!doctype html><html><body><ol>{% for row in rows %}<li><h2>{{ row.title }}</h2>"
            "<p>{{ row.excerpt }}</p><a href='{{ row.link }}'>{{ row.published_at }}</a></li>"
            "{% endfor %}</ol></body></html>")
    location = os.environ.get(ENV_LOCATION, "https://example.org/")

    @app.get("/bare")
    def bare():
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, title, excerpt, link, published_at FROM feed_items ORDER BY id LIMIT :n"),
                {"n": BARE_ROWS}).all()
        return render_template_string(page, rows=rows)

    @app.get("/s/<code>")
    def follow(code: str):
        return redirect(location, 302)

    return app


# --- data ------------------------------------------------------------------------

def build(url: str, instance: str, scale: float, queue_items: int) -> tuple[str, str]:
    """Migrate, generate, fill the queue, roll up; returns a tracked link's code and where it leads."""
    from sqlalchemy import select

    from advocacy import create_app, migrate
    from advocacy.db import get_engine, get_session
    from advocacy.models import Content, TrackedLink
    from advocacy.services import clock, insights_rollup
    from advocacy.services.sharing import campaign_url
    from benchmarks.curation_queue import fill
    from benchmarks.feed import reset_postgres
    from benchmarks.insights import analyze, generate

    if url.startswith("postgresql"):
        reset_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-staff"}, instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        counts = generate(session, datetime.now(UTC), scale)
        fill(session, queue_items)
        insights_rollup.build(session, clock.utc_today())
        session.commit()
        analyze(session)
        link = session.scalars(select(TrackedLink).where(TrackedLink.network == "x").order_by(TrackedLink.id)
                               .limit(1)).one()
        content = session.get(Content, link.content_id)
        location = campaign_url(content.target_url, "x", content.slug)
        print(f"  generated {counts.get('share_events', 0):,} shares, {queue_items:,} queue items, roll-ups, "
              f"in {time.perf_counter() - started:.0f} s")
        get_engine().dispose()
    return link.code, location


# --- in-process measures (in a child process, with one checkout's code) -------------

def _app(url: str, instance: str):
    os.environ[ENV_URL], os.environ[ENV_INSTANCE] = url, instance
    return real_app()


def measure_statements(url: str, instance: str, paths: list[str]) -> dict[str, int]:
    from advocacy.db import get_engine

    app = _app(url, instance)
    client = pagebench.signed_in_client(app, CURATOR)
    counts = {}
    with app.app_context():
        engine = get_engine()
    for path in paths:
        assert client.get(path).status_code == 200  # warm-up, as in a running server
        counts[path] = pagebench.statements(engine, lambda path=path: client.get(path))
    engine.dispose()
    return counts


def measure_cpu(url: str, instance: str, paths: dict[str, str], repeat: int, profile: bool = False) -> dict:
    from advocacy.db import get_engine

    app = _app(url, instance)
    bare = bare_app().test_client()
    client = pagebench.signed_in_client(app, CURATOR)
    requests = {"bare": lambda: bare.get("/bare")}
    requests.update({label: (lambda path=path: client.get(path)) for label, path in paths.items()})
    results: dict = pagebench.cpu_per_request(requests, repeat)
    results["calls"] = pagebench.calls_per_request(requests)
    results["html_bytes"] = {label: len(client.get(path).data) for label, path in paths.items()}
    if profile:
        import cProfile
        import pstats

        for label, request in requests.items():
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(20):
                request()
            profiler.disable()
            print(f"\n### profile: {label} (20 requests)", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    with app.app_context():
        get_engine().dispose()
    return results


def measure_personal_data(url: str, instance: str, sizes: list[int]) -> dict[str, dict[str, float]]:
    """Per size: an ambassador with that many attributed shares, exported then erased (ms)."""
    from sqlalchemy import func, select

    from advocacy.db import get_engine, get_session
    from advocacy.models import Content, Purpose, Role, ShareEvent, User
    from advocacy.services import accounts, consent, passwords, personal_data
    from advocacy.services.demo_data_bulk import bulk

    app = _app(url, instance)
    results = {}
    with app.app_context():
        session = get_session()
        first, last = session.execute(select(func.min(Content.id), func.max(Content.id))).one()
        today = datetime.now(UTC).date()
        # Warm-up: the export's statements compiled once, as in a running server.
        json.dumps(personal_data.export(session, session.scalars(select(User).where(User.email == CURATOR)).one()))
        session.rollback()
        for size in sizes:
            user = accounts.create_user(session, email=f"exported{size}@bench.example", name=f"Exported {size}",
                                        password=pagebench.PASSWORD, role=Role.AMBASSADOR)
            session.flush()
            text = consent.current_text(session, Purpose.SHARE_ATTRIBUTION, "en")
            if text is not None:
                consent.grant(session, user, text)
            span = last - first + 1
            bulk(session, ShareEvent.__table__, ((first + (n * 7919) % span, "x", today, user.id)
                                                 for n in range(size)), ["content_id", "network", "day", "user_id"])
            session.commit()
            user_id = user.id
            session.expunge_all()
            started = time.perf_counter()
            data = personal_data.export(session, session.get(User, user_id))
            json.dumps(data)  # what the download sends
            exported = (time.perf_counter() - started) * 1000
            assert len(data["shares"]) == size, len(data["shares"])
            session.rollback()
            user = session.get(User, user_id)
            email = user.email
            started = time.perf_counter()  # erase() checks the password first: argon2, the same whatever the data
            passwords.verify_password(user.password_hash, pagebench.PASSWORD)
            password_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            personal_data.erase(session, user, pagebench.PASSWORD)
            session.commit()
            erased = (time.perf_counter() - started) * 1000
            # Then what the route does after the commit: the SQLite log emptied, the outbox searched.
            started = time.perf_counter()
            personal_data.remove_traces(get_engine(), Path(instance) / "outbox", email)
            traces = (time.perf_counter() - started) * 1000
            left = session.scalar(select(func.count()).select_from(ShareEvent).where(ShareEvent.user_id == user_id))
            assert left == 0, left
            results[str(size)] = {"export_ms": exported, "erase_ms": erased, "password_ms": password_ms,
                                  "traces_ms": traces}
        get_engine().dispose()
    return results


MEASURES = {"statements": measure_statements, "cpu": measure_cpu, "personal_data": measure_personal_data}


def child(measure: str, kwargs: str) -> None:
    print(json.dumps(MEASURES[measure](**json.loads(kwargs))))


# --- the run ---------------------------------------------------------------------

def load(url: str, instance: str, location: str, paths: dict[str, str], code: str, apps: dict[str, str | None],
         args) -> None:
    env = {ENV_URL: url, ENV_INSTANCE: instance, ENV_LOCATION: location}
    bare = pagebench.start_gunicorn("benchmarks.staff_pages:bare_app()", env)
    servers = {name: pagebench.start_gunicorn("benchmarks.staff_pages:real_app()", {**env, ENV_APP_ROOT: root or ""})
               for name, root in apps.items()}
    try:
        cookies = {name: pagebench.session_cookie(port, CURATOR, check="/curation/queue")
                   for name, (_process, port) in servers.items()}
        for name, (_process, port) in servers.items():  # warm-up: imports, templates, connection pools
            for path in [*paths.values(), f"/s/{code}"]:
                pagebench.wrk(port, path, cookies[name], 2, 2, BROWSER)
        pagebench.wrk(bare[1], "/bare", None, 2, 2)
        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            floor = pagebench.wrk(bare[1], "/bare", None, args.connections, args.seconds)
            results.setdefault("bare page (25 rows)", []).append({**floor, "ratio": 1.0})
            for label, path in paths.items():
                for name, (_process, port) in servers.items():
                    result = pagebench.wrk(port, path, cookies[name], args.connections, args.seconds)
                    results.setdefault(f"{label}, {name}", []).append(
                        {**result, "ratio": result["rate"] / floor["rate"]})
            redirect = pagebench.wrk(bare[1], f"/s/{code}", None, args.connections, args.seconds, BROWSER)
            results.setdefault("bare 302", []).append({**redirect, "ratio": 1.0})
            for name, (_process, port) in servers.items():
                result = pagebench.wrk(port, f"/s/{code}", None, args.connections, args.seconds, BROWSER)
                results.setdefault(f"/s/<code>, {name}", []).append(
                    {**result, "ratio": result["rate"] / redirect["rate"]})
            print(f"  round done, load average {pagebench.load_average()}", flush=True)
        pagebench.print_load_table(results, args.connections, args.seconds, args.rounds)
        print(f"load average after the load: {pagebench.load_average()}")
    finally:
        pagebench.stop([bare, *servers.values()])


def run(url: str | None, label: str, args) -> None:
    apps = {"before": args.before, "after": None} if args.before else {"after": None}
    with tempfile.TemporaryDirectory(prefix="relais-bench-staff-") as folder:
        url = url or f"sqlite:///{folder}/staff.sqlite3"
        print(f"\n## {label} (load average at the start: {pagebench.load_average()})", flush=True)
        code, location = build(url, folder, args.scale, args.queue_items)
        paths = {"curation queue": "/curation/queue", "insights": "/insights/"}
        for name, root in apps.items():
            env = {ENV_APP_ROOT: root or ""}
            counts = pagebench.in_child(SCRIPT, env, "statements", url=url, instance=folder,
                                        paths=list(paths.values()))
            print(f"statements per request ({name}): " + ", ".join(f"{k} {counts[v]}" for k, v in paths.items()))
        print("\n| in-process, per request: CPU median of 10 rounds (ms), Python calls | bare | queue | insights "
              "| queue × bare | insights × bare | queue HTML (bytes) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, root in apps.items():
            cpu = pagebench.in_child(SCRIPT, {ENV_APP_ROOT: root or ""}, "cpu", url=url, instance=folder,
                                     paths=paths, repeat=args.cpu_repeat, profile=args.profile)
            bare, queue, insights = cpu["bare"], cpu["curation queue"], cpu["insights"]
            print(f"| {name}: CPU (ms) | {bare:.2f} | {queue:.2f} | {insights:.2f} | {queue / bare:.1f} "
                  f"| {insights / bare:.1f} | {cpu['html_bytes']['curation queue']:,} |")
            calls = cpu["calls"]
            print(f"| {name}: calls | {calls['bare']:,.0f} | {calls['curation queue']:,.0f} "
                  f"| {calls['insights']:,.0f} | {calls['curation queue'] / calls['bare']:.1f} "
                  f"| {calls['insights'] / calls['bare']:.1f} | |", flush=True)
        if not args.no_load:
            load(url, folder, location, paths, code, apps, args)
        if args.personal_data:
            times = pagebench.in_child(SCRIPT, {ENV_APP_ROOT: ""}, "personal_data", url=url, instance=folder,
                                       sizes=args.personal_data)
            print("\n| shares of the person | export, JSON made (ms) | erasure, committed (ms) "
                  "| of which the password check alone (ms) | then traces removed (ms) |")
            print("|---:|---:|---:|---:|---:|")
            for size, row in times.items():
                print(f"| {int(size):,} | {row['export_ms']:.0f} | {row['erase_ms']:.0f} | {row['password_ms']:.0f} "
                      f"| {row['traces_ms']:.0f} |")
        print(f"\nload average at the end: {pagebench.load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="run on this PostgreSQL database (its schema is dropped)")
    parser.add_argument("--reset", action="store_true", help="agree to drop the PostgreSQL public schema")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the demo-data set")
    parser.add_argument("--queue-items", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu-repeat", type=int, default=200)
    parser.add_argument("--before", metavar="CHECKOUT", help="also measure this checkout's app (e.g. main)")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk part")
    parser.add_argument("--profile", action="store_true", help="cProfile each page (on stderr of the child)")
    parser.add_argument("--personal-data", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
        return
    args = parser.parse_args()
    if args.pg:
        if not args.reset:
            sys.exit("pass --reset: the PostgreSQL public schema is dropped")
        run(args.pg, "PostgreSQL", args)
    else:
        run(None, "SQLite", args)


if __name__ == "__main__":
    main()
