"""The send-mail job handing 2,000 queued e-mails to a local SMTP server (aiosmtpd), before and after.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/send_mail.py --before /path/to/main

2,000 digest-sized e-mails (text and HTML, about 4 KB) are queued in the
mail outbox of a SQLite database, then the send-mail job (``send_queued``)
of each checkout (this one, and --before's) sends them to an aiosmtpd
server started by this script on a free loopback port, which counts the
messages and the connections they came on. Each measure runs in a child
process importing the app from its checkout, on the same database, the
outbox emptied and refilled before each; rounds interleaved; medians.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_APP_ROOT = "BENCH_SEND_MAIL_APP_ROOT"
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # benchmarks/queue.py would shadow the standard library's queue
if __import__("os").environ.get(ENV_APP_ROOT):
    sys.path.insert(0, __import__("os").environ[ENV_APP_ROOT])

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

TEXT = "Bonjour,\n\n" + "Une publication à partager, avec son lien : https://relais.example.org/content/1\n" * 25
HTML = "<p>Bonjour,</p>" + "<p>Une publication à partager, <a href='https://relais.example.org/c/1'>ici</a>.</p>" * 25


class CountingHandler:
    """Keeps no message: counts them, and the connections (client ports) they came on."""

    def __init__(self):
        self.messages = 0
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.peers.add(session.peer)
        return "250 OK"


def _config(url: str, port: int) -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": "bench-send-mail", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
            "RATELIMIT_ENABLED": False}


def job(url: str, instance: str, port: int, mails: int) -> dict:
    from sqlalchemy import text

    from advocacy import create_app
    from advocacy.db import get_session
    from advocacy.emails import mail_settings
    from advocacy.services import mail_outbox

    app = create_app(_config(url, port), instance_path=instance)
    with app.app_context():
        session = get_session()
        session.execute(text("DELETE FROM mail_outbox"))
        for n in range(mails):
            mail_outbox.enqueue(session, mail_settings(), to=f"ambassador{n}@example.org", subject="Your week",
                                text=TEXT, html=HTML, kind="digest")
        session.commit()
        started, cpu = time.perf_counter(), time.process_time()
        tally = mail_outbox.send_queued(session, mail_settings(), mail_outbox.RetryPolicy.from_config(app.config))
        return {"send_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu, "sent": tally.sent,
                "failed": tally.failed + tally.retrying}


def in_app(app_root: str | None, **kwargs) -> dict:
    env = {**os.environ, ENV_APP_ROOT: app_root or "", "PYTHONSAFEPATH": "1"}
    output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(kwargs)],
                            env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="CHECKOUT", help="also measure this checkout's sender (e.g. main)")
    parser.add_argument("--mails", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (medians)")
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(job(**json.loads(sys.argv[2]))))
        return
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from advocacy import create_app, migrate

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per connection
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    apps = {"before": args.before, "after": None} if args.before else {"after": None}
    try:
        with tempfile.TemporaryDirectory(prefix="relais-bench-send-mail-") as folder:
            url = f"sqlite:///{folder}/send.sqlite3"
            migrate.upgrade(create_app(_config(url, port), instance_path=folder))
            timed: dict[str, list[dict]] = {name: [] for name in apps}
            for _round in range(args.repeat):  # interleaved: the machine's load weighs on both alike
                for name, root in apps.items():
                    handler.messages, handler.peers = 0, set()
                    result = in_app(root, url=url, instance=folder, port=port, mails=args.mails)
                    result.update(received=handler.messages, connections=len(handler.peers))
                    timed[name].append(result)
                    print(f"  {name}: {result}", flush=True)
    finally:
        controller.stop()
    print(f"\n| {args.mails} queued e-mails to aiosmtpd | sending (s), median | runs (s) | CPU (s), median "
          "| received | SMTP connections |")
    print("|---|---:|---|---:|---:|---:|")
    medians = {}
    for name, runs in timed.items():
        medians[name] = statistics.median(r["send_s"] for r in runs)
        each = ", ".join(f"{r['send_s']:.1f}" for r in runs)
        print(f"| {name} | {medians[name]:.1f} | {each} "
              f"| {statistics.median(r['cpu_s'] for r in runs):.1f} | {runs[0]['received']} "
              f"| {runs[0]['connections']} |")
    if "before" in medians:
        print(f"\nafter / before, wall time: {medians['after'] / medians['before']:.2f}×")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
