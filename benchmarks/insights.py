"""Insights page benchmark: a generated year of data, roll-ups and indexes versus the naive reads.

    .venv/bin/python benchmarks/insights.py                  # SQLite, in a temporary folder
    .venv/bin/python benchmarks/insights.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_insights --reset

The PostgreSQL database must be empty (or pass --reset to drop its public
schema first: never point it at data you care about). Generates 2,000
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
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from advocacy import create_app, migrate  # noqa: E402
from advocacy.db import get_engine, get_session  # noqa: E402
from advocacy.models import (  # noqa: E402
    AmbassadorProfile,
    ConsentChannel,
    ConsentRecord,
    ConsentText,
    Content,
    Department,
    InsightContentDay,
    InsightNetworkDay,
    InsightWatermark,
    Purpose,
    Role,
    TrackedLink,
    User,
)
from advocacy.models.content import content_needs, content_topics  # noqa: E402
from advocacy.services import accounts, insights_rollup, taxonomy  # noqa: E402
from advocacy.services.networks import LINK_NETWORKS, NETWORKS  # noqa: E402

NEW_INDEXES = {  # what migration 0011 adds to the raw tables: dropped for the naive run
    "ix_share_events_day_user": "share_events (day, user_id)",
    "ix_click_counts_day": "click_counts (day, link_id, clicks, previews)",
}
CHUNK = 20_000


def bulk(session, table, rows, columns):
    """COPY on PostgreSQL, executemany in chunks on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:  # enums as their stored values, JSON as text
                copy.write_row([value.value if hasattr(value, "value") else "[]" if value == [] else value
                                for value in row])
        return
    batch = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == CHUNK:
            session.execute(insert(table), batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)


def generate(session, today: date, scale: float, seed: int = 6, *, contents: int | None = None,
             shares: int | None = None, clicks: int | None = None) -> None:
    """The data set, ``scale`` times the default sizes; ``contents``, ``shares`` or ``clicks`` override one."""
    rng = random.Random(seed)
    ambassadors = int(2000 * scale)
    contents = int(20_000 * scale) if contents is None else contents
    share_target = int(1_000_000 * scale) if shares is None else shares
    click_target = int(2_000_000 * scale) if clicks is None else clicks
    start = today - timedelta(days=364)
    now = datetime.now(UTC)
    needs = [need.id for need in taxonomy.ensure_needs(session)]
    topics = [taxonomy.add_topic(session, name_fr=f"Thème {n}", name_en=f"Topic {n}").id for n in range(30)]
    departments = []
    for n in range(25):
        department = Department(name=f"Department {n}", headcount=rng.randint(50, 900))
        session.add(department)
        departments.append(department)
    session.flush()
    # Department sizes are uneven on purpose: some fall under k.
    weights = [rng.choice([1, 2, 10, 30, 60]) for _ in departments]
    charter = session.scalar(select(ConsentText).where(ConsentText.purpose == Purpose.MEMBERSHIP)
                             .order_by(ConsentText.version.desc()))
    attribution = session.scalar(select(ConsentText).where(ConsentText.purpose == Purpose.SHARE_ATTRIBUTION)
                                 .order_by(ConsentText.version.desc()))
    password_hash = accounts.create_user(session, email="curator@bench.example", name="Bench Curator",
                                         password="bench-password", role=Role.CURATOR).password_hash
    first_user = session.scalar(select(User.id).order_by(User.id.desc())) + 1
    users = range(first_user, first_user + ambassadors)
    bulk(session, User.__table__, ((u, f"amb{u}@bench.example", f"Ambassador {u}", password_hash, Role.AMBASSADOR,
                                    "fr", True, now) for u in users),
         ["id", "email", "name", "password_hash", "role", "language", "active", "created_at"])
    bulk(session, AmbassadorProfile.__table__,
         ((u, now, now, today + timedelta(days=200), rng.choices(departments, weights)[0].id, []) for u in users),
         ["user_id", "joined_at", "onboarded_at", "mandate_ends_on", "department_id", "networks"])
    consents = [(u, Purpose.MEMBERSHIP, True, now, charter.version, charter.sha256, "fr", ConsentChannel.WEB)
                for u in users]
    consents += [(u, Purpose.SHARE_ATTRIBUTION, True, now, attribution.version, attribution.sha256, "fr",
                  ConsentChannel.WEB)
                 for u in users if rng.random() < 0.6]
    bulk(session, ConsentRecord.__table__, consents,
         ["user_id", "purpose", "granted", "at", "text_version", "text_sha256", "language", "channel"])
    first_content = (session.scalar(select(Content.id).order_by(Content.id.desc())) or 0) + 1
    content_ids = range(first_content, first_content + contents)
    published = {c: start + timedelta(days=rng.randrange(365)) for c in content_ids}
    bulk(session, Content.__table__,
         ((c, f"post-{c}", f"Post number {c}", "", f"https://example.org/p/{c}",
           datetime.combine(published[c], datetime.min.time(), UTC), False, now, now) for c in content_ids),
         ["id", "slug", "title", "summary", "target_url", "publish_at", "highlighted", "created_at", "updated_at"])
    bulk(session, content_topics, ((c, t) for c in content_ids for t in rng.sample(topics, rng.randint(1, 2))),
         ["content_id", "topic_id"])
    bulk(session, content_needs, ((c, n) for c in content_ids for n in rng.sample(needs, rng.randint(1, 2))),
         ["content_id", "need_id"])
    links = []
    link_id = 1
    for c in content_ids:
        for network in LINK_NETWORKS:  # the share sheet's link too, as create_links makes them
            links.append((link_id, c, network, hashlib.sha1(f"{c}{network}".encode()).hexdigest()[:12], now))
            link_id += 1
    bulk(session, TrackedLink.__table__, links, ["id", "content_id", "network", "code", "created_at"])
    network_weights = [30, 10, 15, 35, 5, 5]

    def share_rows():
        written = 0
        while written < share_target:
            c = rng.randrange(first_content, first_content + contents)
            day = published[c] + timedelta(days=int(rng.expovariate(1 / 4)))
            if day > today:  # not yet: drawn again, so today has no pile-up
                continue
            written += 1
            user = rng.randrange(first_user, first_user + ambassadors) if rng.random() < 0.6 else None
            yield c, rng.choices(NETWORKS, network_weights)[0], day, user

    bulk(session, ShareEventTable, share_rows(), ["content_id", "network", "day", "user_id"])
    # A little over the mean span, since recent contents are cut at today.
    days_per_link = 1.07 * click_target / len(links)

    def click_rows():
        written = 0
        for link_id, c, _network, _code, _at in links:
            span = max(1, int(rng.uniform(0.3, 1.7) * days_per_link))
            for offset in range(span):
                day = published[c] + timedelta(days=offset)
                if day > today or written >= click_target:
                    break
                written += 1
                yield link_id, day, rng.randint(0, 12), rng.randint(0, 3)

    bulk(session, ClickCountTable, click_rows(), ["link_id", "day", "clicks", "previews"])
    session.commit()


from advocacy.models import ClickCount, ShareEvent  # noqa: E402

ShareEventTable, ClickCountTable = ShareEvent.__table__, ClickCount.__table__


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
    today = datetime.now(UTC).date()
    with app.app_context():
        session = get_session()
        dialect = get_engine().dialect.name
        started = time.perf_counter()
        generate(session, today, scale)
        counts = {t: session.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("users", "contents", "share_events", "click_counts")}
        print(f"\n## {dialect}: generated in {time.perf_counter() - started:.0f} s: {counts}")
        set_naive(session, True)
        analyze(session)
    client = app.test_client()
    assert client.post(
        "/login", data={"email": "curator@bench.example", "password": "bench-password"}
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
