"""The send-mail job keeps one SMTP connection for its run (a real aiosmtpd server counts them),
and still judges each message alone: a refusal, a cut, a connection closed by the server."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.emails import mail_settings
from advocacy.models import MailStatus, OutboxMail, utcnow
from advocacy.services import mail, mail_outbox
from digest_helpers import Inbox
from mail_helpers import send_queued_mail


class CountingInbox(Inbox):
    """Keeps each message with the connection (client port) it came on; refuses some recipients;
    can cut a connection while a message travels, or close it before a message starts."""

    def __init__(self, refuse: dict[str, int] | None = None, cut_during: set[int] = frozenset(),
                 close_before: set[int] = frozenset()):
        super().__init__()
        self.refuse, self.cut_during, self.close_before = refuse or {}, set(cut_during), set(close_before)
        self.peers: list[tuple] = []
        self.transactions = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.transactions += 1
        if self.transactions in self.close_before:  # as a server's idle timeout would
            self.close_before.discard(self.transactions)
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            code = self.refuse[address]
            return f"{code} not now" if code < 500 else f"{code} no such person"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        self.peers.append(session.peer)
        if len(self.messages) in self.cut_during:  # taken, but the answer never comes
            server.transport.close()
        return "250 OK"

    @property
    def connections(self) -> int:
        return len(set(self.peers))

    def addresses(self) -> list[str]:
        return sorted(str(message["To"]) for message in self.messages)


@pytest.fixture
def port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_config(port):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "MAIL_MAX_ATTEMPTS": 5, "MAIL_RETRY_SECONDS": 60}


@pytest.fixture
def serve(port):
    controllers = []

    def start(inbox: CountingInbox) -> CountingInbox:
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def queue(app, addresses: list[str]) -> None:
    with app.app_context():
        session = get_session()
        for address in addresses:
            mail_outbox.enqueue(session, mail_settings(), to=address, subject="Hello", text="Bonjour",
                                kind="notification")
        session.commit()


def statuses(app) -> dict[str, tuple[MailStatus, int]]:
    with app.app_context():
        return {row.recipient: (row.status, row.attempts)
                for row in get_session().scalars(select(OutboxMail).order_by(OutboxMail.id))}


def people(n: int) -> list[str]:
    return [f"p{k:03}@example.org" for k in range(n)]


def test_a_run_sends_every_queued_mail_over_one_connection(app, serve):
    inbox = serve(CountingInbox())
    queue(app, people(30))
    assert send_queued_mail(app).sent == 30
    assert inbox.addresses() == people(30)  # each once
    assert inbox.connections == 1


def test_a_connection_carries_at_most_its_share_of_messages(app, serve, monkeypatch):
    monkeypatch.setattr(mail, "MESSAGES_PER_CONNECTION", 4)
    inbox = serve(CountingInbox())
    queue(app, people(10))
    assert send_queued_mail(app).sent == 10
    assert inbox.addresses() == people(10)
    assert inbox.connections == 3  # 4 + 4 + 2


def test_a_refused_message_leaves_the_connection_to_the_next_ones(app, serve):
    inbox = serve(CountingInbox(refuse={"gone@example.org": 550, "full@example.org": 452}))
    queue(app, ["a@example.org", "gone@example.org", "full@example.org", "b@example.org"])
    tally = send_queued_mail(app)
    assert (tally.sent, tally.failed, tally.retrying) == (2, 1, 1)
    assert inbox.addresses() == ["a@example.org", "b@example.org"] and inbox.connections == 1
    found = statuses(app)
    assert found["gone@example.org"] == (MailStatus.FAILED, 1)  # refused for good
    assert found["full@example.org"] == (MailStatus.QUEUED, 1)  # to try again later
    assert found["b@example.org"] == (MailStatus.SENT, 1)


def test_a_connection_cut_while_a_message_travels_fails_that_one_and_the_rest_go_once(app, serve):
    """The server took the 3rd message and the connection broke before its answer: the 3rd is
    failed, never retried (it may have arrived, and here it did); the rest go on a new connection."""
    inbox = serve(CountingInbox(cut_during={3}))
    queue(app, people(6))
    tally = send_queued_mail(app)
    assert (tally.sent, tally.failed, tally.retrying) == (5, 1, 0)
    assert statuses(app)["p002@example.org"] == (MailStatus.FAILED, 1)
    assert send_queued_mail(app, now=utcnow() + timedelta(days=1)).sent == 0  # nothing more, later either
    assert inbox.addresses() == people(6)  # every one once, none twice
    assert inbox.connections == 2


def test_a_connection_the_server_closed_between_messages_is_reopened_for_the_next(app, serve):
    inbox = serve(CountingInbox(close_before={3}))
    queue(app, people(5))
    assert send_queued_mail(app).sent == 5
    assert inbox.addresses() == people(5)
    assert inbox.connections == 2
    assert all(status == (MailStatus.SENT, 1) for status in statuses(app).values())


def test_a_server_gone_mid_run_leaves_the_rest_queued_then_they_go_once(app, serve, port):
    """The connection drops and the server is away: the messages not yet sent wait for the next run."""
    first = CountingInbox(cut_during={2})
    controller = Controller(first, hostname="127.0.0.1", port=port)
    controller.start()
    queue(app, people(4))
    # The 2nd message is cut, and the server stops listening at once: the 3rd and 4th cannot
    # connect, and are queued for a retry.
    original = first.handle_DATA

    async def cut_then_stop(server, session, envelope):
        status = await original(server, session, envelope)
        if len(first.messages) == 2:
            server.loop.call_soon(controller.server.close)
        return status

    first.handle_DATA = cut_then_stop  # type: ignore[method-assign]
    tally = send_queued_mail(app)
    controller.stop()
    assert (tally.sent, tally.failed) == (1, 1)
    assert tally.retrying == 2
    second = serve(CountingInbox())
    assert send_queued_mail(app, now=utcnow() + timedelta(minutes=5)).sent == 2
    assert sorted(first.addresses() + second.addresses()) == people(4)  # each once
