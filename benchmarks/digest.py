"""The weekly digest job for 2,000 consenting ambassadors: time, statements and memory, before and after.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/digest.py --before /path/to/main
    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/digest.py --before /path/to/main \
        --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_digest --reset

The PostgreSQL database is emptied (its public schema dropped) first: never
point it at data you care about.

Data: ``advocacy demo-data``'s generator (services/demo_data.py) with 2,000
ambassadors, 20,000 contents over 365 days and 200,000 shares (the issue's
1,000,000 shares only slow the build: the digest reads no share but the
person's own, by key); then every ambassador is given the digest consent
(demo-data gives it to half), and the highlights are cut to the 3 newest of
the digest's week (the app allows 3 at a time; demo-data marked 2 % of all
contents until the feedperf2 branch, and now marks at most 3 of the last 7
days, which the digest's week may or may not hold); then the planner's
statistics are gathered (ANALYZE), as autovacuum would on a live database.

Each measure runs in a child process importing the app from its checkout
(this one, or --before's), on the same data, one after the other in the
same run; deliveries (and the outbox) are emptied before each. No SMTP
server: mail goes to .eml files, as in the embedded default. "after" is
timed twice: the digest job (which queues) and the send-mail job that then
writes the 2,000 files, since "before"'s job does both. Memory: the
child's peak RSS before the job and after it, and, in a separate run
under tracemalloc, the Python memory allocated at 10 %, 50 % and 100 % of
the e-mails rendered and at its peak: flat when it does not grow with the
recipients.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_APP_ROOT = "BENCH_DIGEST_APP_ROOT"
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # benchmarks/queue.py would shadow the standard library's queue
if __import__("os").environ.get(ENV_APP_ROOT):
    sys.path.insert(0, __import__("os").environ[ENV_APP_ROOT])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

HIGHLIGHTS_PER_WEEK = 3
BASE_URL = "https://relais.example.org"


def _config(url: str) -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": "bench-digest", "BASE_URL": BASE_URL, "RATELIMIT_ENABLED": False}


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(url: str, instance: str, ambassadors: int, contents: int, shares: int) -> str:
    """The data set; returns the moment to run the digest at (this week's slot + 1 hour), ISO."""
    from sqlalchemy import func, insert, select, update

    from advocacy import create_app, migrate
    from advocacy.db import get_engine, get_session
    from advocacy.models import ConsentChannel, ConsentRecord, ConsentText, Content, Purpose, User
    from advocacy.program_clock import program_zone
    from advocacy.services import clock, consent, demo_data, digest, passwords

    if url.startswith("postgresql"):
        reset_postgres(url)
    app = create_app(_config(url), instance_path=instance)
    migrate.upgrade(app)
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        now = clock.now()
        demo_data.generate(session, demo_data.Sizes(ambassadors, contents, shares, 365, shares),
                           now=now, password_hash=passwords.hash_password("bench-password"))
        # Everyone consents to the digest: the 2,000 recipients.
        texts = {t.language: t for t in session.scalars(select(ConsentText).where(
            ConsentText.purpose == Purpose.DIGEST))}
        latest = {t.language: t for t in sorted(texts.values(), key=lambda t: t.version)}
        has = consent.consenting_user_ids(session, Purpose.DIGEST)
        for user_id, language in session.execute(select(User.id, User.language).where(
                User.role == "ambassador", User.id.not_in(has))).all():
            text = latest.get(language) or next(iter(latest.values()))
            session.execute(insert(ConsentRecord).values(
                user_id=user_id, purpose=Purpose.DIGEST, granted=True, at=now, text_version=text.version,
                text_sha256=text.sha256, language=text.language, channel=ConsentChannel.WEB))
        week = digest.week_of(now, program_zone(), digest.schedule(session))
        if now < week.slot + timedelta(hours=1):
            week = digest.week_of(now - timedelta(days=7), program_zone(), digest.schedule(session))
        of_the_week = (Content.publish_at > week.since, Content.publish_at <= week.slot)
        keep = select(Content.id).where(Content.highlighted.is_(True), *of_the_week).order_by(
            Content.publish_at.desc()).limit(HIGHLIGHTS_PER_WEEK)
        session.execute(update(Content).where(Content.highlighted.is_(True), Content.id.not_in(keep))
                        .values(highlighted=False))
        session.commit()
        # Statistics, as a live database has them (autovacuum): the shared test
        # server runs without autovacuum, and without them PostgreSQL planned
        # the recipients' query as nested loops over the consents, 3-10 s a batch.
        analyze(session)
        recipients = len(digest.ambassadors.digest_recipients(session, clock.program_day(now, program_zone())))
        in_week = session.scalar(select(func.count()).select_from(Content).where(*of_the_week))
        print(f"  built in {time.perf_counter() - started:.0f} s: {recipients} recipients, "
              f"{in_week} contents in the week", flush=True)
        get_engine().dispose()
    return (week.slot + timedelta(hours=1)).isoformat()


def analyze(session) -> None:
    from sqlalchemy import text

    from advocacy.db import get_engine

    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))  # the bulk load written out now, not during the timed runs
    else:
        session.execute(text("ANALYZE"))
        session.commit()


# --- one measure, in a child process ------------------------------------------------

def _clear(session, instance: str) -> None:
    from sqlalchemy import delete, inspect

    from advocacy.models import DigestDelivery

    session.execute(delete(DigestDelivery))
    if inspect(session.get_bind()).has_table("mail_outbox"):
        from sqlalchemy import text

        session.execute(text("DELETE FROM mail_outbox"))
    session.commit()
    for path in Path(instance, "outbox").glob("*.eml"):
        path.unlink()


def job(url: str, instance: str, now: str, trace: bool) -> dict:
    from sqlalchemy import event

    from advocacy import create_app, mailings
    from advocacy.db import get_engine, get_session

    app = create_app(_config(url), instance_path=instance)
    result: dict = {}
    with app.app_context():
        _clear(get_session(), instance)
        statements = [0]
        event.listen(get_engine(), "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1))
        samples: list[int] = []
        if trace:
            render = mailings.digest_message

            def sampled(*args, **kwargs):
                samples.append(tracemalloc.get_traced_memory()[0])
                return render(*args, **kwargs)

            mailings.digest_message = sampled  # type: ignore[assignment]  # measuring only
            tracemalloc.start()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu = time.perf_counter(), time.process_time()
        tally = mailings.send_digests(now=datetime.fromisoformat(now))
        result["job_s"], result["job_cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
        result["statements"] = statements[0]
        if trace:
            result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            n = len(samples)
            result["traced_mib"] = {f"{p}%": samples[max(0, n * p // 100 - 1)] / 2**20 for p in (10, 50, 100)}
        result["recipients"] = getattr(tally, "queued", None) or getattr(tally, "sent", 0)
        send_mail = getattr(__import__("advocacy.jobs", fromlist=["x"]), "send_queued_mail", None)
        if send_mail is not None:  # after: the outbox's sender writes the files
            started, cpu = time.perf_counter(), time.process_time()
            send_mail()
            result["send_s"], result["send_cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["rss_before_mib"], result["peak_rss_mib"] = rss_before / 1024, peak / 1024
        result["eml_files"] = len(list(Path(instance, "outbox").glob("*.eml")))
    return result


def in_app(app_root: str | None, **kwargs) -> dict:
    env = {**os.environ, ENV_APP_ROOT: app_root or "", "PYTHONSAFEPATH": "1"}
    output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(kwargs)],
                            env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(url: str | None, label: str, args) -> None:
    apps = {"before": args.before, "after": None} if args.before else {"after": None}
    with tempfile.TemporaryDirectory(prefix="relais-bench-digest-") as folder:
        print(f"\n## {label}", flush=True)
        database = url or f"sqlite:///{folder}/digest.sqlite3"
        now = build(database, folder, args.ambassadors, args.contents, args.shares)
        timed: dict[str, list[dict]] = {name: [] for name in apps}
        for _round in range(args.repeat):  # interleaved: the machine's load weighs on both alike
            for name, root in apps.items():
                timed[name].append(in_app(root, url=database, instance=folder, now=now, trace=False))
                print(f"  {name}: {timed[name][-1]}", flush=True)
        traced = {name: in_app(root, url=database, instance=folder, now=now, trace=True) for name, root in apps.items()}
        print(f"\n| {label} | recipients | digest job (s), median | + sending (s) | CPU, job + sending (s) "
              "| statements (per recipient) | peak RSS before the job → after (MiB) "
              "| traced at 10 % / 50 % / 100 % (MiB) | traced peak (MiB) |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        medians = {}
        for name, runs in timed.items():
            job_s = statistics.median(r["job_s"] for r in runs)
            total = statistics.median(r["job_s"] + r.get("send_s", 0.0) for r in runs)
            medians[name] = total
            recipients = runs[0]["recipients"]
            t = traced[name]["traced_mib"]
            cpu = statistics.median(r["job_cpu_s"] + r.get("send_cpu_s", 0.0) for r in runs)
            print(f"| {name} | {recipients} | {job_s:.1f} | {total:.1f} | {cpu:.1f} "
                  f"| {runs[0]['statements']} ({runs[0]['statements'] / recipients:.2f}) "
                  f"| {statistics.median(r['rss_before_mib'] for r in runs):.0f} → "
                  f"{statistics.median(r['peak_rss_mib'] for r in runs):.0f} "
                  f"| {t['10%']:.1f} / {t['50%']:.1f} / {t['100%']:.1f} | {traced[name]['traced_peak_mib']:.1f} |")
        if "before" in medians:
            print(f"\nafter (job + sending) / before, wall time: {medians['after'] / medians['before']:.2f}×")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="run on this PostgreSQL database (its schema is dropped)")
    parser.add_argument("--reset", action="store_true", help="agree to drop the PostgreSQL public schema")
    parser.add_argument("--before", metavar="CHECKOUT", help="also measure this checkout's digest (e.g. main)")
    parser.add_argument("--ambassadors", type=int, default=2_000)
    parser.add_argument("--contents", type=int, default=20_000)
    parser.add_argument("--shares", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (medians)")
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(job(**json.loads(sys.argv[2]))))
        return
    args = parser.parse_args()
    if args.pg:
        if not args.reset:
            sys.exit("pass --reset: the PostgreSQL public schema is dropped first")
        run(args.pg, "PostgreSQL", args)
    else:
        run(None, "SQLite", args)


if __name__ == "__main__":
    main()
