"""Where one feed's ingestion spends its time and memory (issue 14).

Parses a feed file and stores it into a fresh SQLite database twice (the
second time every entry is known), under cProfile, then once more under
tracemalloc. Prints the share of feedparser, of our normalisation (URLs,
nh3, text), of the writes, the slowest functions, and the traced peak of
parsing and of storing.

    PYTHONSAFEPATH=1 PYTHONPATH=. .venv/bin/python benchmarks/ingest_profile.py FILE [--top 25]
    (a generated 20,000-entry feed: python benchmarks/feed_generator.py /tmp/big --big 20000)
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import tracemalloc
from pathlib import Path

from advocacy import create_app, migrate
from advocacy.db import get_session
from advocacy.models import Feed, utcnow
from advocacy.services import ingest_store
from content_feeds import parse_feed

URL = "https://feeds.example.org/feed.xml"
PHASES = {
    "feedparser": "parse.py:*(_feedparser)",
    "normalise (URLs, nh3, text)": "normalise_entry",
    "write (dedupe, INSERT, UPDATE)": "store_entries",
}


def ingest_twice(session, feed_id: int, body: bytes) -> None:
    for _ in range(2):
        parsed = parse_feed(body, url=URL, fetched_at=utcnow())
        ingest_store.store_entries(session, feed_id, parsed.entries, utcnow())
        session.commit()


def cumulative(stats: pstats.Stats, name: str) -> float:
    total = 0.0
    for (_filename, _line, function), (_cc, _nc, _tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if function == name.rsplit("(", 1)[-1].rstrip(")") and not any(c[2] == function for c in callers):
            total += ct
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    body = args.file.read_bytes()
    workdir = Path(tempfile.mkdtemp(prefix="relais-profile-"))
    app = create_app({"SECRET_KEY": "profile", "DATABASE_URL": f"sqlite:///{workdir / 'p.sqlite3'}"},
                     instance_path=str(workdir))
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        feeds = [Feed(url=f"{URL}?{n}") for n in range(2)]
        session.add_all(feeds)
        session.commit()

        profile = cProfile.Profile()
        profile.runcall(ingest_twice, session, feeds[0].id, body)
        stats = pstats.Stats(profile)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"{args.file.name}: {len(body) / 2**20:.1f} MiB, two ingests, {total:.2f} s under cProfile")
        for label, name in PHASES.items():
            spent = cumulative(stats, name)
            print(f"  {label:32s} {spent:6.2f} s  {100 * spent / total:4.0f} %")
        stats.sort_stats("tottime").print_stats(args.top)

        tracemalloc.start()
        parsed = parse_feed(body, url=URL, fetched_at=utcnow())
        parse_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        ingest_store.store_entries(session, feeds[1].id, parsed.entries, utcnow())
        session.commit()
        store_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"tracemalloc: parsing peaks at {parse_peak / 2**20:.0f} MiB; the {len(parsed.entries)} parsed entries "
              f"hold {held / 2**20:.0f} MiB; storing them peaks at {store_peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
