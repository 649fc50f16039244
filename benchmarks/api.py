"""Read-only API benchmark: keyset cursors against OFFSET pages, and the day-coarse last-use write.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/api.py                 # SQLite, in a temporary folder
    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/api.py --pg postgresql+psycopg://postgres@127.0.0.1/bench --reset

Loads 20,000 contents (each with a need, a topic and a text) and a staff
token, then times through the Flask test client, in the same run, medians
after a warm-up:

1. GET /api/v1/contents?limit=50 on the first page and on the last page
   reached by the API's cursor (keyset: id > after), and the baseline: the
   same last page read with OFFSET, as a page-number API would;
2. a token's request as the API makes it (last-use day written at most once
   a day) against the baseline of a write on every request.

The PostgreSQL database must be empty (or pass --reset to drop its public
schema first: never point it at data you care about).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import create_engine, insert, select, text, update  # noqa: E402

from advocacy import create_app, migrate  # noqa: E402
from advocacy.db import get_session  # noqa: E402
from advocacy.models import ApiToken, Content, Need, Role, ShareText, Topic, utcnow  # noqa: E402
from advocacy.models.content import content_needs, content_topics  # noqa: E402
from advocacy.services import accounts, api_serialisers, api_tokens, clock, taxonomy  # noqa: E402

CONTENTS = 20_000
PAGE = 50


def load(session) -> str:
    now = utcnow()
    taxonomy.ensure_needs(session)
    need_id = session.scalar(select(Need.id).order_by(Need.id))
    topic = Topic(name_en="Energy")
    session.add(topic)
    session.flush()
    session.execute(insert(Content), [
        {"slug": f"post-{n}", "title": f"Post {n}", "summary": "About it", "target_url": f"https://example.org/{n}",
         "publish_at": now - timedelta(minutes=n), "highlighted": False, "created_at": now, "updated_at": now}
        for n in range(CONTENTS)])
    ids = list(session.scalars(select(Content.id)))
    session.execute(insert(content_needs), [{"content_id": i, "need_id": need_id} for i in ids])
    session.execute(insert(content_topics), [{"content_id": i, "topic_id": topic.id} for i in ids])
    session.execute(insert(ShareText), [{"content_id": i, "network": "x", "position": 0, "text": "Read it"}
                                        for i in ids])
    admin = accounts.create_user(session, email="admin@bench.example", name="Admin", password="bench-password-1",
                                 role=Role.ADMIN)
    token = api_tokens.create_staff_token(session, admin, "Bench", list(api_tokens.STAFF_SCOPES), now=now,
                                          lifetime=timedelta(days=365)).token
    session.commit()
    return token


def timed(call, repeat: int) -> float:
    call()  # warm-up: statement caches, the page cache of the database
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def offset_page(app, offset: int) -> int:
    """The baseline: the same page and the same JSON, found by OFFSET instead of by key."""
    with app.app_context():
        session = get_session()
        rows = list(session.scalars(api_serialisers._contents_statement().order_by(Content.id)
                                    .offset(offset).limit(PAGE)))
        body = [api_serialisers.content_json(row, clock.now(), "en") for row in rows]
        session.rollback()
        return len(body)


def keyset_page(app, after_id: int) -> int:
    with app.app_context():
        cursors = api_serialisers.Cursors(app.config["SECRET_KEY"], "contents")
        page = api_serialisers.contents_page(get_session(), cursors, cursors.make(after_id), PAGE, clock.now(), "en")
        get_session().rollback()
        return len(page.items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="an empty PostgreSQL database URL")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL public schema first")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-api-")
    url = args.pg or f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
    if args.pg and args.reset:
        engine = create_engine(args.pg)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-api", "RATELIMIT_ENABLED": False},
                     instance_path=os.path.join(folder, "instance"))
    migrate.upgrade(app)
    with app.app_context():
        token = load(get_session())
        ids = list(get_session().scalars(select(Content.id).order_by(Content.id)))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    last_offset = len(ids) - PAGE
    after_last = ids[last_offset - 1]
    assert keyset_page(app, after_last) == offset_page(app, last_offset) == PAGE

    first_http = timed(lambda: client.get(f"/api/v1/contents?limit={PAGE}", headers=headers), args.repeat)
    keyset = timed(lambda: keyset_page(app, after_last), args.repeat)
    offset = timed(lambda: offset_page(app, last_offset), args.repeat)
    first = timed(lambda: keyset_page(app, 0), args.repeat)

    def reset_last_use():
        with app.app_context():
            get_session().execute(update(ApiToken).values(last_used_on=None))
            get_session().commit()

    def write_every_time():
        reset_last_use()  # not timed apart: the write it causes is the point
        client.get("/api/v1/feeds", headers=headers)

    coarse = timed(lambda: client.get("/api/v1/feeds", headers=headers), args.repeat)
    every = timed(write_every_time, args.repeat)
    reset_cost = timed(reset_last_use, args.repeat)
    database = "PostgreSQL" if args.pg else "SQLite"
    print(f"{database}, {CONTENTS:,} contents, pages of {PAGE}, medians of {args.repeat}:")
    print(f"  GET /api/v1/contents first page over HTTP: {first_http * 1000:.1f} ms")
    print(f"  first page, keyset (service):   {first * 1000:.1f} ms")
    print(f"  last page, keyset (service):    {keyset * 1000:.1f} ms")
    print(f"  last page, OFFSET (baseline):   {offset * 1000:.1f} ms  -> OFFSET/keyset {offset / keyset:.1f}x")
    print(f"  request, last use once a day:   {coarse * 1000:.2f} ms")
    print(f"  request, a write every time:    {max(every - reset_cost, 0) * 1000:.2f} ms "
          f"(measured {every * 1000:.2f} ms minus the reset {reset_cost * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
