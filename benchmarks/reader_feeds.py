"""Atom feeds and the staff to-do, side by side with the pages they stand beside.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/reader_feeds.py [--ambassadors N --contents N --rounds N]

On SQLite in a temporary folder: the data set of `advocacy demo-data` (by
default 500 ambassadors, 5,000 contents, 50,000 shares over 90 days) plus
200 decided feedback items. Through the test client, in interleaved rounds
(medians), one request of each:

- an ambassador's home page (their personal feed, HTML) — the baseline;
- the same person's suggestions as Atom, read by a reader with no cookie;
- the same, asked again with the ETag it got (304);
- the public decision feed;
- a curator's home page with its to-do, and the to-do's service alone.

Prints the medians, the ratio of each to the baseline and the statements
each executes. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password"


def build(folder: str, ambassadors: int, contents: int):
    from sqlalchemy import select

    from advocacy import create_app, migrate
    from advocacy.db import get_session
    from advocacy.models import FeedbackItem, FeedbackKind, FeedbackStatus, Role, User
    from advocacy.services import accounts, clock, passwords, reader_feeds
    from advocacy.services import ambassadors as ambassador_service
    from advocacy.services.demo_data import Sizes, generate

    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench-reader-feeds",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "LOG_LEVEL": "WARNING"}, instance_path=folder)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        now = clock.now()
        generate(session, Sizes(ambassadors, contents, contents * 10, 90), now=now,
                 password_hash=passwords.hash_password(PASSWORD))
        today = clock.program_today(app.config["TIMEZONE"])
        for n in range(200):
            session.add(FeedbackItem(kind=FeedbackKind.IDEA, body=f"Idea number {n}: make it better.",
                                     created_on=today - timedelta(days=n), status=FeedbackStatus.RETAINED,
                                     reply="Because it helps.", replied_on=today - timedelta(days=n // 2)))
        user = session.scalars(ambassador_service.active_members(session, today).order_by(User.id)).first()
        assert user is not None
        token = reader_feeds.new_link(session, user)
        accounts.create_user(session, email="curator@bench.invalid", name="Bench Curator", password=PASSWORD,
                             role=Role.CURATOR)
        session.commit()
        email = session.scalar(select(User.email).where(User.id == user.id))
    return app, email, token


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def statements(app, run) -> int:
    from sqlalchemy import event

    from advocacy.db import get_engine

    counted = []
    with app.app_context():
        engine = get_engine()

    def count(*_args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ambassadors", type=int, default=500)
    parser.add_argument("--contents", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app, email, token = build(folder, args.ambassadors, args.contents)
        print(f"data: {args.ambassadors} ambassadors, {args.contents} contents, {args.contents * 10} shares "
              f"(built in {time.perf_counter() - started:.0f} s)")
        ambassador, curator, reader = signed_in(app, email), signed_in(app, "curator@bench.invalid"), app.test_client()
        feed_path = f"/atom/suggestions/{token}"
        etag = reader.get(feed_path).headers["ETag"]

        from advocacy.db import get_session
        from advocacy.services import clock, staff_todo

        def todo_alone():
            with app.app_context():
                staff_todo.todo(get_session(), today=clock.program_today(app.config["TIMEZONE"]), k=5,
                                include_mail=True)

        def get(client, path, status=200, **kwargs):
            def run():
                response = client.get(path, **kwargs)
                assert response.status_code == status, (path, response.status_code)
            return run

        measures = {
            "ambassador home page (HTML feed), baseline": get(ambassador, "/"),
            "suggestions as Atom (reader, no cookie)": get(reader, feed_path),
            "suggestions as Atom, If-None-Match (304)": get(reader, feed_path, 304,
                                                             headers={"If-None-Match": etag}),
            "decision log as Atom (50 of 200 decisions)": get(reader, "/atom/decisions"),
            "curator home page with its to-do": get(curator, "/"),
            "staff_todo.todo alone (service)": todo_alone,
        }
        for run in measures.values():  # warm: caches, compiled statements
            run()
        times: dict[str, list[float]] = {name: [] for name in measures}
        for _round in range(args.rounds):
            for name, run in measures.items():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        baseline = statistics.median(times["ambassador home page (HTML feed), baseline"])
        print(f"{'measure':<48} {'median ms':>10} {'× baseline':>11} {'statements':>11}")
        for name, run in measures.items():
            median = statistics.median(times[name])
            print(f"{name:<48} {median * 1000:>10.1f} {median / baseline:>11.2f} {statements(app, run):>11}")


if __name__ == "__main__":
    main()
