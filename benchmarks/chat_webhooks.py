"""Team chat: what publishing a highlight costs when webhooks are set and the chat is down.

    PYTHONSAFEPATH=1 .venv/bin/python benchmarks/chat_webhooks.py [--rounds 30]

An app on a temporary SQLite database. Each round publishes one highlight
(``contents.create_content`` and the commit, what the editor's POST does
besides rendering) in two programs, in turn:

- baseline: no webhook;
- as shipped, with 3 webhooks: one whose port refuses connections, one on
  a server that accepts and never answers, one that works. Publishing only
  queues a delivery row per webhook in its transaction.

Prints the medians and their ratio, then what one post to the stalled
webhook costs (the guarded POST waits for its 10-second deadline): what
each publication would have waited, had it posted in the request.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0:0] = [str(ROOT), str(ROOT / "tests")]

from advocacy import chat_posts, create_app, migrate  # noqa: E402
from advocacy.db import get_session  # noqa: E402
from advocacy.models import ChatPlatform, utcnow  # noqa: E402
from advocacy.services import chat_delivery, chat_webhooks, contents  # noqa: E402
from advocacy.services.chat_payloads import payload  # noqa: E402
from chat_receiver import ChatReceiver  # noqa: E402

CONFIG = {"TESTING": True, "SECRET_KEY": "benchmark", "PASSWORD_HASH_PROFILE": "CHEAPEST",
          "FEED_ALLOWED_NETWORKS": "127.0.0.0/8", "CHAT_WEBHOOK_HTTP_LOOPBACK": True,
          "BASE_URL": "https://relais.example.org"}


def stalled_server() -> tuple[socket.socket, int]:
    """Accepts connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener, listener.getsockname()[1]


def build(workdir: Path, name: str):
    app = create_app({**CONFIG, "DATABASE_URL": f"sqlite:///{workdir / name}.sqlite3"},
                     instance_path=str(workdir / f"instance-{name}"))
    migrate.upgrade(app)
    return app


def publish(app, n: int) -> float:
    with app.app_context():
        session = get_session()
        now = utcnow()
        draft = contents.ContentDraft(title=f"Highlight {n}", summary="Twelve jobs in Lyon.",
                                      target_url=f"https://example.org/{n}", publish_at=now - timedelta(minutes=1),
                                      highlighted=True,
                                      texts={"x": ["Lyon!"]})
        start = time.perf_counter()
        content = contents.create_content(session, draft, None, now)
        session.commit()
        took = time.perf_counter() - start
        content.highlighted = False  # untimed: at most 3 highlights at once, and the next round needs a slot
        session.commit()
        return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    down = ChatReceiver()  # bound, not listening: refuses connections
    working = ChatReceiver().up()
    listener, stalled_port = stalled_server()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        plain, chatty = build(workdir, "plain"), build(workdir, "chatty")
        with chatty.app_context():
            session = get_session()
            for platform, url in [("slack", down.url("slack")), ("teams", f"http://127.0.0.1:{stalled_port}/teams/x"),
                                  ("mattermost", working.url("mattermost"))]:
                chat_webhooks.add_webhook(session, platform=platform, name=platform, url=url,
                                          secret_key=CONFIG["SECRET_KEY"], rules=chat_posts.address_rules(),
                                          now=utcnow())
            session.commit()
        for warm in range(3):
            publish(plain, -warm - 1), publish(chatty, -warm - 1)
        timings: dict[str, list[float]] = {"plain": [], "chatty": []}
        for n in range(rounds):
            timings["plain"].append(publish(plain, n))
            timings["chatty"].append(publish(chatty, n))
        with chatty.app_context():
            message = chat_posts.highlight_message(get_session().get(contents.Content, 1))
            start = time.perf_counter()
            allowed = chat_posts.address_rules().allowed_networks
            outcome = chat_delivery.post(f"http://127.0.0.1:{stalled_port}/teams/x",
                                         payload(ChatPlatform.TEAMS, message), allowed)
            stalled = time.perf_counter() - start
    listener.close()
    down.close()
    working.close()
    base, shipped = statistics.median(timings["plain"]), statistics.median(timings["chatty"])
    print(f"publishing a highlight, median of {rounds}:")
    print(f"  no webhook (baseline)                            {base * 1000:7.2f} ms")
    print(f"  3 webhooks, one refusing, one stalled (shipped)  {shipped * 1000:7.2f} ms  ({shipped / base:.2f}x)")
    print(f"one POST to the stalled webhook: {stalled:.2f} s ({outcome.error}), "
          f"{stalled / shipped:,.0f}x a publication as shipped")


if __name__ == "__main__":
    main()
