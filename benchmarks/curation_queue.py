"""Curation queue benchmark: keyset pages versus OFFSET over 50,000 feed items.

    .venv/bin/python benchmarks/curation_queue.py        # SQLite, in a temporary folder
    .venv/bin/python benchmarks/curation_queue.py --pg postgresql+psycopg://postgres@127.0.0.1/bench_queue

The PostgreSQL database must be empty (or pass --reset to drop its public
schema first: never point it at data you care about). Prints medians per
query, the keyset/OFFSET ratio at the same depth, and the query plans, which
show the queue indexes at work. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The project root in place of this folder: this checkout's `advocacy`.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import ClauseElement, Executable, inspect, text  # noqa: E402
from sqlalchemy.ext.compiler import compiles  # noqa: E402

from advocacy import create_app, migrate  # noqa: E402
from advocacy.db import get_engine, get_session  # noqa: E402
from advocacy.models import Feed, FeedItem, ItemStatus  # noqa: E402
from advocacy.services import queue  # noqa: E402
from advocacy.services.demo_data_bulk import bulk  # noqa: E402

WORDS = [
    "solar", "community", "energy", "cooperative", "roof", "workshop", "lyon", "grenoble", "results", "members",
    "webinar", "training", "job", "technician", "partnership", "wind", "battery", "citizen", "project", "local",
    "grid", "heat", "savings",
]


class Explain(Executable, ClauseElement):
    """EXPLAIN for any statement, with its parameters bound as usual."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain)
def _compile_explain(element, compiler, **kw):
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
    return prefix + compiler.process(element.statement, **kw)


def fill(session, count: int, seed: int = 4) -> list[int]:
    rng = random.Random(seed)
    feeds = [Feed(url=f"https://example.org/feed-{n}.xml", title=f"Feed {n}") for n in range(5)]
    session.add_all(feeds)
    session.flush()
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def rows():
        for n in range(count):
            published = start + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
            status = rng.choices([ItemStatus.NEW, ItemStatus.SKIPPED, ItemStatus.APPROVED], [90, 8, 2])[0]
            yield (feeds[n % len(feeds)].id, f"bench-{n}", title, f"https://example.org/post/{n}", published,
                   published, f"<p>{title}</p>", "", " ".join(rng.choice(WORDS) for _ in range(40)), [], status,
                   published)

    # The bulk insert of `advocacy demo-data` (COPY on PostgreSQL); ids from the sequence.
    bulk(session, FeedItem.__table__, rows(), [
        "feed_id", "dedupe_key", "title", "link", "published_at", "updated_at", "summary_html", "content_html",
        "excerpt", "categories", "status", "first_seen_at"])
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    return [f.id for f in feeds]


def median_ms(run, repeat: int) -> float:
    run()  # warm the cache: we compare query plans, not disk reads
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def offset_query(filters: queue.QueueFilter, offset: int, limit: int):
    """The naive alternative: same filters and order, OFFSET instead of a cursor."""
    return queue.queue_query(filters, None, limit + 1).offset(offset)


def cursor_at(session, filters: queue.QueueFilter, depth: int) -> queue.Cursor:
    row = session.execute(offset_query(filters, depth - 1, 0).limit(1)).scalars().one()
    return queue.Cursor(row.published_at, row.id)


def run(url: str, count: int, repeat: int, depth: int) -> None:
    instance = tempfile.mkdtemp(prefix="relais-bench-")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}, instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        dialect = get_engine().dialect.name
        started = time.perf_counter()
        feed_ids = fill(session, count)
        print(f"\n## {dialect}: {count:,} feed items filled in {time.perf_counter() - started:.1f} s")
        size = queue.PAGE_SIZE
        new = queue.QueueFilter()
        one_feed = queue.QueueFilter(feed_id=feed_ids[2])
        search = queue.QueueFilter(search="battery citizen")
        dated = queue.QueueFilter(since=datetime(2025, 3, 1, tzinfo=UTC), until=datetime(2025, 4, 1, tzinfo=UTC))
        deep = cursor_at(session, new, depth)
        deepest = cursor_at(session, new, 2 * depth - 6_000)
        deep_feed = cursor_at(session, one_feed, depth // 5)
        rows = lambda statement: lambda: session.scalars(statement).all()  # noqa: E731
        # Both columns load the same 25 rows through the same ORM path; only
        # the WHERE (cursor) versus OFFSET differs.
        cases = [
            ("first page", rows(queue.queue_query(new)), rows(offset_query(new, 0, size))),
            (f"depth {depth:,}", rows(queue.queue_query(new, deep)), rows(offset_query(new, depth, size))),
            (f"depth {2 * depth - 6_000:,}", rows(queue.queue_query(new, deepest)),
             rows(offset_query(new, 2 * depth - 6_000, size))),
            (f"one feed, depth {depth // 5:,}", rows(queue.queue_query(one_feed, deep_feed)),
             rows(offset_query(one_feed, depth // 5, size))),
            ("one month, first page", rows(queue.queue_query(dated)), None),
            ("search (2 words), first page", rows(queue.queue_query(search)), None),
            ("search, no match (reads every new item)",
             rows(queue.queue_query(queue.QueueFilter(search="no such words"))), None),
            (f"queue_page() service, depth {depth:,} (+ feeds)", lambda: queue.queue_page(session, new, deep), None),
        ]
        print(f"\n| query ({size} per page) | keyset (ms) | OFFSET (ms) | OFFSET / keyset |")
        print("|---|---:|---:|---:|")
        for name, keyset, offset in cases:
            k = median_ms(keyset, repeat)
            if offset is None:
                print(f"| {name} | {k:.2f} | | |")
                continue
            o = median_ms(offset, repeat)
            print(f"| {name} | {k:.2f} | {o:.2f} | {o / k:.1f}× |")
        print("\nPlans:")
        for name, statement in [
            ("first page", queue.queue_query(new)),
            ("keyset at depth", queue.queue_query(new, deep)),
            ("one feed, keyset", queue.queue_query(one_feed, deep_feed)),
            ("OFFSET at depth", offset_query(new, depth, size)),
            ("search", queue.queue_query(search)),
        ]:
            print(f"\n{name}:")
            for row in session.connection().execute(Explain(statement)):
                print("   ", row[-1])
        session.rollback()
        get_engine().dispose()


def reset_postgres(url: str, force: bool) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        if inspect(connection).get_table_names() and not force:
            sys.exit("the PostgreSQL database is not empty: pass --reset to drop its public schema")
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--depth", type=int, default=25_000, help="rows before the deep page")
    parser.add_argument("--pg", metavar="URL", help="also run on this (empty) PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL public schema first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", args.items, args.repeat, args.depth)
    if args.pg:
        reset_postgres(args.pg, args.reset)
        run(args.pg, args.items, args.repeat, args.depth)


if __name__ == "__main__":
    main()
