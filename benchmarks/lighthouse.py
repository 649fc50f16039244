"""Lighthouse on the pages an ambassador uses most: the feed, the share panel, the sign-in page.

    .venv/bin/python benchmarks/lighthouse.py            # SQLite, in a temporary folder

The app runs under gunicorn (as in production: 2 sync workers, the same
static file and caching headers) on a fresh database holding the demo
program (``advocacy demo``: sample feeds, published contents, two
ambassadors). Signed in as the demo ambassador Camille (the session cookie
goes to Lighthouse as an extra header), it audits / and
/content/<id>/share, then /login signed out, with Lighthouse's default
profile: a mid-range phone, throttled CPU and network. Prints the four
category scores per page (the median of --runs runs: one run's
performance varies with the machine's load) and, below 100, the ids of the audits that cost
points. Needs Chromium and the npm tools (.ci/install-test-tools).
Results go in docs/benchmarks.md ("Lighthouse (issue 13)").
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    # The project root instead of this folder: `benchmarks.*` and this checkout's `advocacy`.
    sys.path[0] = str(ROOT)
sys.path.insert(1, str(ROOT / "tests"))  # tests/browser.py: where Chromium and Lighthouse are found

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402

ENV_URL, ENV_INSTANCE = "BENCH_LIGHTHOUSE_DATABASE_URL", "BENCH_LIGHTHOUSE_INSTANCE"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
AMBASSADOR = "camille@demo.relais.invalid"


def real_app():
    """The app as gunicorn loads it ("benchmarks.lighthouse:real_app()")."""
    from advocacy import create_app

    return create_app({"DATABASE_URL": os.environ[ENV_URL], "SECRET_KEY": "bench-lighthouse",
                       "RATELIMIT_ENABLED": False}, instance_path=os.environ[ENV_INSTANCE])


def prepare(url: str, instance: str) -> int:
    """Migrate, load the demo program; returns the id of a content in the ambassador's feed."""
    from sqlalchemy import select

    from advocacy import create_app, feed_settings, migrate
    from advocacy.db import get_engine, get_session
    from advocacy.models import Content
    from advocacy.program_clock import program_today
    from advocacy.services import clock, demo

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-lighthouse"}, instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        assert demo.load_if_empty(session, feed_settings.current(), clock.now(), program_today())
        session.commit()
        content_id = session.scalar(select(Content.id).where(Content.publish_at.is_not(None)).order_by(Content.id))
        get_engine().dispose()
    return content_id


def password_of(email: str) -> str:
    from advocacy.services.demo import DEMO_ACCOUNTS

    return next(password for address, password, _role in DEMO_ACCOUNTS if address == email)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is printed (default 3)")
    args = parser.parse_args()

    from benchmarks.feed import session_cookie
    from benchmarks.links import start_gunicorn
    from browser import lighthouse, missing

    reason = missing()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as folder:
        url, instance = f"sqlite:///{folder}/lighthouse.db", os.path.join(folder, "instance")
        content_id = prepare(url, instance)
        server, port = start_gunicorn("benchmarks.lighthouse:real_app()",
                                      {ENV_URL: url, ENV_INSTANCE: instance})
        try:
            base = f"http://127.0.0.1:{port}"
            cookie = session_cookie(port, AMBASSADOR, password_of(AMBASSADOR))
            pages = [("/", {"Cookie": cookie}), (f"/content/{content_id}/share", {"Cookie": cookie}),
                     ("/login", None)]
            for path, headers in pages:
                runs = [lighthouse(base + path, args.categories.split(","), headers) for _ in range(args.runs)]
                for result in runs:
                    if result["url"] != base + path:
                        raise SystemExit(f"{path} was sent to {result['url']}: the audit would measure another page")
                medians = {key: statistics.median(run["scores"][key] for run in runs) for key in runs[0]["scores"]}
                print(f"{path:<22} " + "  ".join(f"{key} {round(score * 100)}" for key, score in medians.items()))
                if args.runs > 1:
                    performance = [round(run["scores"].get("performance", 0) * 100) for run in runs]
                    print(f"{'':<22}   performance of each run: {performance}")
                for key in medians:
                    ids = sorted({audit for run in runs for audit in run["failing"][key]})
                    if ids:
                        print(f"{'':<22}   {key}, below full marks in a run: {', '.join(ids)}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
