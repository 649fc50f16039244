"""Insights page benchmark: a generated year of data, roll-ups and indexes versus the naive reads.

    .venv/bin/python benchmarks/insights.py                  # SQLite, in a temporary folder
    .venv/bin/python benchmarks/insights.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_insights --reset

The PostgreSQL database must be empty (or pass --reset to drop its public
schema first: never point it at data you care about). Generates, with the
service behind `advocacy demo-data` (services/demo_data.py), 2,000
ambassadors, 20,000 contents, 1,000,000 share events and 2,000,000 click-day
rows over the last 365 days, then times GET /insights/ (the default range,
the last 12 weeks) through the Flask test client, signed in as a curator:

- naive: no roll-ups, and without the indexes migration 0011 adds, so every
  figure is summed from share_events and click_counts;
- with the indexes and the roll-ups built by the scheduled job (the current
  day still read live).

Prints medians (after a warm-up) and the ratio. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import create_engine, select, text  # noqa: E402

from advocacy import create_app, migrate  # noqa: E402
from advocacy.db import get_engine, get_session  # noqa: E402
from advocacy.models import InsightContentDay, InsightNetworkDay, InsightWatermark, Role  # noqa: E402
from advocacy.services import accounts, demo_data, insights_rollup  # noqa: E402

NEW_INDEXES = {  # what migration 0011 adds to the raw tables: dropped for the naive run
    "ix_share_events_day_user": "share_events (day, user_id)",
    "ix_click_counts_day": "click_counts (day, link_id, clicks, previews)",
}
PASSWORD = "bench-password"


def generate(session, now: datetime, scale: float, seed: int = 6, *, contents: int | None = None,
             shares: int | None = None, clicks: int | None = None) -> dict[str, int]:
    """`advocacy demo-data`'s data set over the last 365 days, ``scale`` times 2,000 ambassadors,
    20,000 contents, 1,000,000 shares and 2,000,000 click-day rows (``contents``, ``shares`` or
    ``clicks`` override one), plus the curator the benchmarks sign in as. Every ambassador's
    password is PASSWORD too."""
    curator = accounts.create_user(session, email="curator@bench.example", name="Bench Curator",
                                   password=PASSWORD, role=Role.CURATOR)
    sizes = demo_data.Sizes(
        ambassadors=int(2000 * scale), contents=int(20_000 * scale) if contents is None else contents,
        shares=int(1_000_000 * scale) if shares is None else shares, days=365,
        clicks=int(2_000_000 * scale) if clicks is None else clicks)
    counts = demo_data.generate(session, sizes, now=now, password_hash=curator.password_hash, seed=seed)
    session.commit()
    return counts


def analyze(session) -> None:
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            # Write the bulk load out now: a checkpoint flushing it in the
            # background would otherwise compete with the timed runs.
            connection.execute(text("CHECKPOINT"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()


def set_naive(session, naive: bool) -> None:
    """Naive: no roll-ups, no 0011 indexes on the raw tables. Else: both, as migrated."""
    for name, columns in NEW_INDEXES.items():
        session.execute(text(f"DROP INDEX IF EXISTS {name}"))
        if not naive:
            session.execute(text(f"CREATE INDEX {name} ON {columns}"))
    for model in (InsightNetworkDay, InsightContentDay, InsightWatermark):
        session.execute(model.__table__.delete())
    session.commit()


def median_ms(client, url: str, repeat: int) -> tuple[float, list[float]]:
    assert client.get(url).status_code == 200  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), times


def run(url: str | None, repeat: int, naive_repeat: int, scale: float) -> None:
    instance = tempfile.mkdtemp(prefix="relais-bench-")
    url = url or f"sqlite:///{instance}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False}, instance_path=instance)
    migrate.upgrade(app)
    now = datetime.now(UTC)
    today = now.date()
    with app.app_context():
        session = get_session()
        dialect = get_engine().dialect.name
        started = time.perf_counter()
        generate(session, now, scale)
        counts = {t: session.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("users", "contents", "share_events", "click_counts")}
        print(f"\n## {dialect}: generated in {time.perf_counter() - started:.0f} s: {counts}")
        set_naive(session, True)
        analyze(session)
    client = app.test_client()
    assert client.post(
        "/login", data={"email": "curator@bench.example", "password": PASSWORD}
    ).status_code == 302
    page = "/insights/"
    load_before = os.getloadavg()
    naive, naive_runs = median_ms(client, page, naive_repeat)
    with app.app_context():
        session = get_session()
        set_naive(session, False)
        started = time.perf_counter()
        built = insights_rollup.build(session, today)
        session.commit()
        build_s = time.perf_counter() - started
        rows = {m.__tablename__: session.scalar(select(text("count(*)")).select_from(m.__table__))
                for m in (InsightNetworkDay, InsightContentDay)}
        analyze(session)
    print(f"roll-ups built for {built[0]}..{built[1]} in {build_s:.1f} s: {rows}")
    fast, fast_runs = median_ms(client, page, repeat)
    csv_ms, _ = median_ms(client, "/insights/export.csv", repeat)
    print("\n| GET /insights/ (last 12 weeks) | median (ms) | runs |")
    print("|---|---:|---:|")
    print(f"| naive (raw tables, no 0011 indexes) | {naive:.0f} | {len(naive_runs)} |")
    print(f"| roll-ups + indexes | {fast:.0f} | {len(fast_runs)} |")
    print(f"| CSV export, roll-ups + indexes | {csv_ms:.0f} | {repeat} |")
    print(f"\nratio naive / roll-ups: {naive / fast:.1f}×; target ≤ 250 ms: {'met' if fast <= 250 else 'NOT met'}")
    print(f"runs (ms): naive {[round(t) for t in naive_runs]}, roll-ups {[round(t) for t in fast_runs]}")
    print("load average (1, 5, 15 min) before the timed runs: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}"
          .format(*load_before, *os.getloadavg()))
    with app.app_context():
        get_engine().dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", help="a PostgreSQL URL (an empty database)")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL public schema first")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--naive-repeat", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the data, for a quick try")
    args = parser.parse_args()
    if args.pg and args.reset:
        engine = create_engine(args.pg)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    run(args.pg, args.repeat, args.naive_repeat, args.scale)


if __name__ == "__main__":
    main()
