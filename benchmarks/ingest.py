"""Feed ingestion figures (issue 3), measured side by side in one run.

Serves ../shared/feeds/real-world/ from a local HTTP server (with ETags), then,
in separate child processes so that each has its own peak memory:

  (a) the full pipeline into a fresh SQLite database: fetch, parse, sanitise,
      normalise, write (``advocacy feeds refresh`` does the same work);
  (b) plain ``feedparser.parse(bytes)`` with its defaults on the same bytes;
  (c) a second refresh of (a)'s database in which every feed answers 304.

Prints the medians over --repeat runs and the ratios a/b (target ≤ 0.5) and
c/a (target ≤ 5 %), and the peak RSS of the ingest process (target ≤ 200 MiB).

    .venv/bin/python benchmarks/ingest.py [--repeat 3] [--feeds DIR] [--workers 4]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FEEDS = ROOT.parent / "shared" / "feeds" / "real-world"


def serve(directory: Path) -> ThreadingHTTPServer:
    files = {f"/{p.name}": p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
    etags = {path: f'"{hashlib.sha1(body).hexdigest()}"' for path, body in files.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.files = list(files)  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Samples the resident memory of this process and all its descendants,
    keeping the largest sum seen (a check that no helper process hides memory)."""

    def __init__(self, interval: float = 0.02):
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    @staticmethod
    def _tree_rss_kib() -> int:
        parents, rss = {}, {}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            pid = int(status.parent.name)
            parents[pid] = int(fields["PPid"])
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
        me = os.getpid()
        total = 0
        for pid in rss:
            ancestor = pid
            while ancestor not in (0, 1, me) and ancestor in parents:
                ancestor = parents[ancestor]
            if ancestor == me:
                total += rss[pid]
        return total

    def _run(self, interval):
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, self._tree_rss_kib())
            self._stop.wait(interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def child_ingest(base_url: str, workers: int, paths: list[str]) -> dict:
    from sqlalchemy import func, select

    from advocacy import create_app, feed_settings, migrate
    from advocacy.db import get_session
    from advocacy.models import Feed, FeedItem
    from advocacy.services import ingest

    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-"))
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "FEED_ALLOWED_NETWORKS": "127.0.0.0/8", "FEED_WORKERS": workers}, instance_path=str(workdir))
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        session.add_all(Feed(url=base_url + path) for path in paths)
        session.commit()
        settings = feed_settings.current()
        requests = [ingest.FeedRequest.of(feed) for feed in session.scalars(select(Feed))]

        with TreeMemory() as tree:
            started = time.perf_counter()
            first = ingest.refresh_feeds(session, requests, settings)
            ingest_s = time.perf_counter() - started

        requests = [ingest.FeedRequest.of(feed) for feed in session.scalars(select(Feed))]
        started = time.perf_counter()
        second = ingest.refresh_feeds(session, requests, settings)
        refresh_s = time.perf_counter() - started
        items = session.scalar(select(func.count()).select_from(FeedItem))
    return {
        "ingest_s": ingest_s, "refresh_s": refresh_s, "items": items, "peak_mib": peak_mib(),
        "tree_peak_mib": tree.peak_kib / 1024,
        "failed": sum(r.error is not None for r in first),
        "not_modified": sum(r.not_modified for r in second),
    }


def child_feedparser(directory: Path) -> dict:
    import feedparser

    bodies = [p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()]
    started = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for body in bodies)
    return {"parse_s": time.perf_counter() - started, "entries": entries, "peak_mib": peak_mib()}


def run_child(*args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                            capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS)
    parser.add_argument("--workers", type=int, default=4, help="fetch threads (FEED_WORKERS)")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        kind, *rest = args.child
        result = child_ingest(rest[0], int(rest[1]), rest[2:]) if kind == "ingest" else child_feedparser(Path(rest[0]))
        print(json.dumps(result))
        return

    if not args.feeds.is_dir():
        sys.exit(f"no feed corpus at {args.feeds}")
    server = serve(args.feeds)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    ingests, parses = [], []
    for _ in range(args.repeat):  # alternate so that machine noise hits both alike
        ingests.append(run_child("ingest", base_url, str(args.workers), *server.files))
        parses.append(run_child("feedparser", str(args.feeds)))
    server.shutdown()

    a = statistics.median(r["ingest_s"] for r in ingests)
    b = statistics.median(r["parse_s"] for r in parses)
    c = statistics.median(r["refresh_s"] for r in ingests)
    peak = max(r["peak_mib"] for r in ingests)
    last = ingests[-1]
    print(f"feeds: {len(server.files)} files from {args.feeds}, runs: {args.repeat}, workers: {args.workers}")
    print(f"(a) full ingest into fresh SQLite: median {a:.2f} s "
          f"({last['items']} items stored, {last['failed']} feeds failed)")
    print(f"(b) plain feedparser.parse(bytes): median {b:.2f} s ({parses[-1]['entries']} entries)")
    print(f"(c) second refresh, all 304:      median {c:.3f} s ({last['not_modified']} not modified)")
    print(f"a/b = {a / b:.2f}   (target <= 0.5)")
    print(f"c/a = {100 * c / a:.1f} %  (target <= 5 %)")
    tree = max(r["tree_peak_mib"] for r in ingests)
    print(f"peak RSS of the ingest process: {peak:.0f} MiB (sampled process tree: {tree:.0f} MiB) "
          f"(target <= 200 MiB); feedparser process: {max(r['peak_mib'] for r in parses):.0f} MiB")


if __name__ == "__main__":
    main()
