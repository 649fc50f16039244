"""The daily notifications job for 2,000 people with pending notifications, beside the digest job.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/notifications.py
    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/notifications.py \
        --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_notify --reset

The PostgreSQL database is emptied (its public schema dropped) first: never
point it at data you care about.

Data: benchmarks/digest.py's build (``advocacy demo-data``'s generator,
every ambassador with the digest consent, the week's 3 highlights), then
every ambassador also consents to notifications by e-mail, and each of the
week's 3 highlights is raised as an event (``notifications.notify``, the
statement the app runs when a highlight is saved): 2,000 people with 3
pending notifications each. The baseline is the digest job on the same
data, in the same run: both are the program's "one e-mail to everyone"
jobs, reading the same people in batches of 200.

Each measure runs in a child process, interleaved (notifications, digest,
notifications, digest...), with the pending rows (or the digest
deliveries) and the outbox restored before each. Timed: the job alone,
which queues the e-mails in the outbox (sending them is the send-mail
job's, the same for both). Memory: the child's peak RSS, and the Python
memory traced (tracemalloc) at its peak, in a separate run.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # benchmarks/queue.py would shadow the standard library's queue

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402


def _digest_bench():
    spec = importlib.util.spec_from_file_location("bench_digest", ROOT / "benchmarks" / "digest.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build(url: str, instance: str, args) -> str:
    from sqlalchemy import insert, select

    from advocacy import create_app
    from advocacy.db import get_engine, get_session
    from advocacy.models import ConsentChannel, ConsentRecord, ConsentText, Purpose, User

    bench = _digest_bench()
    now = bench.build(url, instance, args.ambassadors, args.contents, args.shares)
    app = create_app(bench._config(url), instance_path=instance)
    with app.app_context():
        session = get_session()
        texts = {t.language: t for t in session.scalars(select(ConsentText).where(
            ConsentText.purpose == Purpose.NOTIFY_EMAIL))}
        people = session.execute(select(User.id, User.language).where(User.role == "ambassador")).all()
        session.execute(insert(ConsentRecord), [
            {"user_id": uid, "purpose": Purpose.NOTIFY_EMAIL, "granted": True, "at": datetime.fromisoformat(now),
             "text_version": (texts.get(language) or texts["fr"]).version,
             "text_sha256": (texts.get(language) or texts["fr"]).sha256,
             "language": (texts.get(language) or texts["fr"]).language, "channel": ConsentChannel.WEB}
            for uid, language in people])
        session.commit()
        get_engine().dispose()
    return now


def _raise_events(session, now: datetime) -> int:
    """The week's highlights as events, for everyone who consented: what the job will find pending."""
    from sqlalchemy import delete, select

    from advocacy.models import Content, Notification, NotificationKind, NotificationSetting
    from advocacy.services import ambassadors, notifications

    session.execute(delete(Notification))
    session.execute(delete(NotificationSetting))
    # The week's highlights; on a small data set with fewer, the newest contents stand in.
    highlights = list(session.scalars(select(Content.id).order_by(Content.highlighted.desc(),
                                                                  Content.publish_at.desc()).limit(3)))
    for content_id in highlights:
        notifications.notify(session, NotificationKind.HIGHLIGHT, content_id,
                             ambassadors.standing_members(session, ambassadors.User.id), now - timedelta(hours=1))
    return len(highlights)


def job(url: str, instance: str, now: str, which: str, trace: bool) -> dict:
    from sqlalchemy import delete, event, func, select, text

    from advocacy import create_app, mailings
    from advocacy.db import get_engine, get_session
    from advocacy.models import DigestDelivery, Notification

    at = datetime.fromisoformat(now)
    app = create_app(_digest_bench()._config(url), instance_path=instance)
    result: dict = {"job": which}
    with app.app_context():
        session = get_session()
        session.execute(text("DELETE FROM mail_outbox"))
        session.execute(delete(DigestDelivery))
        if which == "notifications":
            result["events"] = _raise_events(session, at)
            result["pending"] = session.scalar(select(func.count()).select_from(Notification))
        session.commit()
        statements = [0]
        event.listen(get_engine(), "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1))
        if trace:
            tracemalloc.start()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu = time.perf_counter(), time.process_time()
        run = mailings.send_notifications if which == "notifications" else mailings.send_digests
        tally = run(now=at)
        result["job_s"], result["cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
        result["statements"], result["queued"] = statements[0], tally.queued
        if trace:
            result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        result["rss_before_mib"] = rss_before / 1024
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def in_child(**kwargs) -> dict:
    env = {**os.environ, "PYTHONSAFEPATH": "1"}
    output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(kwargs)],
                            env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(url: str | None, label: str, args) -> None:
    with tempfile.TemporaryDirectory(prefix="relais-bench-notify-") as folder:
        print(f"\n## {label}", flush=True)
        database = url or f"sqlite:///{folder}/notify.sqlite3"
        now = build(database, folder, args)
        jobs = ("notifications", "digest")
        timed: dict[str, list[dict]] = {name: [] for name in jobs}
        for _round in range(args.repeat):  # interleaved: the machine's load weighs on both alike
            for name in jobs:
                timed[name].append(in_child(url=database, instance=folder, now=now, which=name, trace=False))
                print(f"  {timed[name][-1]}", flush=True)
        traced = {name: in_child(url=database, instance=folder, now=now, which=name, trace=True) for name in jobs}
        print(f"\n| {label} | e-mails queued | job (s), median | CPU (s), median | statements per e-mail "
              "| peak RSS before → after (MiB) | traced peak (MiB) |")
        print("|---|---:|---:|---:|---:|---|---:|")
        medians = {}
        for name, runs in timed.items():
            medians[name] = statistics.median(r["job_s"] for r in runs)
            queued = runs[0]["queued"]
            print(f"| {name} | {queued} | {medians[name]:.1f} | {statistics.median(r['cpu_s'] for r in runs):.1f} "
                  f"| {runs[0]['statements'] / max(queued, 1):.2f} "
                  f"| {statistics.median(r['rss_before_mib'] for r in runs):.0f} → "
                  f"{statistics.median(r['peak_rss_mib'] for r in runs):.0f} "
                  f"| {traced[name]['traced_peak_mib']:.1f} |")
        print(f"\nnotifications / digest, wall time: {medians['notifications'] / medians['digest']:.2f}×")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", metavar="URL", help="run on this PostgreSQL database (its schema is dropped)")
    parser.add_argument("--reset", action="store_true", help="agree to drop the PostgreSQL public schema")
    parser.add_argument("--ambassadors", type=int, default=2_000)
    parser.add_argument("--contents", type=int, default=5_000)
    parser.add_argument("--shares", type=int, default=20_000)
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
