"""The mail outbox against a real SMTP server (aiosmtpd): queued with the change, sent by the job,
retried after a back-off while the server is down, never sent twice, erased with the person."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from advocacy import migrate
from advocacy.db import get_session
from advocacy.emails import mail_settings
from advocacy.models import MailKind, MailStatus, OutboxMail, Role, utcnow
from advocacy.services import mail_outbox
from digest_helpers import Inbox
from mail_helpers import run_send_mail_job, send_queued_mail

ENGLISH = {"Accept-Language": "en"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


class RefusingInbox(Inbox):
    """A server that is up but answers "try later" (451) to every recipient, or refuses them for good (550)."""

    def __init__(self, code: int = 451):
        super().__init__()
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"{self.code} not now" if self.code >= 500 else f"{self.code} try again later"


class CuttingInbox(Inbox):
    """Takes the message, then drops the connection before answering: did it go or not?"""

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        server.transport.close()
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a fixed port, started and stopped by the test."""

    def __init__(self):
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self, handler) -> None:
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server():
    smtp = SmtpServer()
    yield smtp
    smtp.stop()


@pytest.fixture
def app_config(server):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SIGN_IN_LINKS": True,
            "MAIL_MAX_ATTEMPTS": 5, "MAIL_RETRY_SECONDS": 60}


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        session = get_session()
        found = list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        session.expunge_all()
        return found


def queue(app, to: str, subject: str = "Hello", user_id: int | None = None, kind: str = "notification") -> int:
    with app.app_context():
        session = get_session()
        row = mail_outbox.enqueue(session, mail_settings(), to=to, subject=subject, text="Bonjour é",
                                  html="<p>Bonjour</p>", headers={"List-Unsubscribe": "<https://x.example/u>"},
                                  kind=kind, user_id=user_id)
        session.commit()
        return row.id


def test_down_then_refusing_then_up_every_message_arrives_once(app, client, auth, server):
    admin = auth.login_as(Role.ADMIN, email="boss@example.org")
    assert client.post("/admin/invitations", data={"email": "new@example.org", "role": "ambassador"}).status_code == 302
    auth.logout()
    person = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    assert client.post("/sign-in-link", data={"email": person.email}, headers=ENGLISH).status_code == 200
    queue(app, "team@example.org", user_id=admin.id)
    assert [(r.kind, r.status) for r in rows(app)] == [
        ("invitation", MailStatus.QUEUED), ("sign_in_link", MailStatus.QUEUED), ("notification", MailStatus.QUEUED)]

    # Nothing listens: each one fails, is kept with its body, and waits a minute.
    tally = send_queued_mail(app)
    assert (tally.sent, tally.retrying) == (0, 3)
    assert all(r.status == MailStatus.QUEUED and r.attempts == 1 and r.last_error == "ConnectionRefusedError"
               and r.message for r in rows(app))
    assert send_queued_mail(app).retrying == 0  # not due again yet

    # Up, but saying "try later": kept again, the wait doubles.
    inbox = RefusingInbox(451)
    server.start(inbox)
    later = utcnow() + timedelta(minutes=1, seconds=1)
    assert send_queued_mail(app, now=later).retrying == 3
    assert all(r.attempts == 2 and r.last_error == "SMTPResponseException" for r in rows(app))
    assert inbox.messages == []
    server.stop()

    # Up for real: all three arrive, once.
    inbox = Inbox()
    server.start(inbox)
    assert send_queued_mail(app, now=later + timedelta(minutes=2, seconds=1)).sent == 3
    assert sorted(m["To"] for m in inbox.messages) == ["camille@example.org", "new@example.org", "team@example.org"]
    assert all(r.status == MailStatus.SENT and r.message is None and r.attempts == 3 for r in rows(app))
    run_send_mail_job(app)
    assert send_queued_mail(app, now=later + timedelta(days=1)).sent == 0
    assert len(inbox.messages) == 3
    assert [m["List-Unsubscribe"] for m in inbox.to("team@example.org")] == ["<https://x.example/u>"]


def test_a_rollback_drops_the_queued_mail(app, server):
    with app.app_context():
        session = get_session()
        mail_outbox.enqueue(session, mail_settings(), to="a@example.org", subject="S", text="T", kind="notification")
        session.rollback()
    assert rows(app) == []


def test_asking_for_a_sign_in_link_never_connects_to_the_mail_server(app, auth):
    """Known address or not, the request only writes to the database: no mail server's round trip
    makes the answer for a known address slower."""
    person = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        app.config["SMTP_PORT"] = listener.getsockname()[1]
        for email in (person.email, "nobody@example.org"):
            assert app.test_client().post("/sign-in-link", data={"email": email}).status_code == 200
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked
    assert [(r.recipient, r.status) for r in rows(app)] == [("camille@example.org", MailStatus.QUEUED)]


def test_erasure_removes_the_persons_queued_mail_by_account_and_by_address(app, client, auth, server):
    person = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    queue(app, "camille@example.org", kind=MailKind.INVITATION)  # by address: no account then
    queue(app, "camille@example.org", user_id=person.id)
    queue(app, "other@example.org")
    auth.login(person.email, "ambassador-password")
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.status_code == 302
    assert [r.recipient for r in rows(app)] == ["other@example.org"]


def test_the_back_off_doubles_until_the_last_attempt_then_the_mail_fails_for_good(app, server):
    app.config["MAIL_MAX_ATTEMPTS"] = 4
    queue(app, "a@example.org")
    now = utcnow() + timedelta(hours=1)  # each run "at" a time to come: the waits are exact
    waits = []
    for _attempt in range(4):
        send_queued_mail(app, now=now)
        [row] = rows(app)
        if row.status == MailStatus.FAILED:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert (row.status, row.attempts, row.last_error) == (MailStatus.FAILED, 4, "ConnectionRefusedError")
    inbox = Inbox()
    server.start(inbox)
    assert send_queued_mail(app, now=now + timedelta(days=1)).sent == 0  # failed is final
    assert inbox.messages == []


def test_a_refusal_for_good_is_not_retried(app, server):
    server.start(RefusingInbox(550))
    queue(app, "nobody@example.org")
    tally = send_queued_mail(app)
    assert (tally.failed, tally.retrying) == (1, 0)
    [row] = rows(app)
    assert row.status == MailStatus.FAILED and row.attempts == 1
    # Never sent again, shown to nobody: a failed e-mail keeps no text either (an invitation's
    # live link, a digest naming its reader would otherwise sit in the table for MAIL_KEEP_DAYS).
    assert row.message is None


def test_a_connection_lost_while_the_message_travels_is_not_retried(app, server):
    """The server may have taken it (this one did): a retry could be a second e-mail."""
    inbox = CuttingInbox()
    server.start(inbox)
    queue(app, "a@example.org")
    assert send_queued_mail(app).failed == 1
    [row] = rows(app)
    assert (row.status, row.attempts, row.last_error) == (MailStatus.FAILED, 1, "SMTPServerDisconnected")
    assert send_queued_mail(app, now=utcnow() + timedelta(days=1)).sent == 0
    assert len(inbox.messages) == 1


def test_a_send_interrupted_by_a_crash_is_marked_failed_and_never_sent_again(app, server):
    """The sender claimed it, then died (maybe after the server took it): at most once."""
    row_id = queue(app, "a@example.org")
    with app.app_context():
        session = get_session()
        row = session.get(OutboxMail, row_id)
        row.status, row.claimed_at = MailStatus.SENDING, utcnow()
        session.commit()
    inbox = Inbox()
    server.start(inbox)
    assert send_queued_mail(app).interrupted == 0  # a run may still be sending it
    assert send_queued_mail(app, now=utcnow() + mail_outbox.STUCK_AFTER + timedelta(seconds=1)).interrupted == 1
    [row] = rows(app)
    assert (row.status, row.last_error) == (MailStatus.FAILED, "Interrupted")
    assert inbox.messages == [] and row.message is None


def test_two_senders_never_claim_the_same_mail(app, server):
    for n in range(4):
        queue(app, f"p{n}@example.org")
    with app.app_context():
        first = get_session()
        mine = mail_outbox._claim(first, utcnow(), 2)
        with app.app_context():  # a second sender, in its own session
            other = get_session()
            theirs = mail_outbox._claim(other, utcnow(), 10) if first.commit() is None else []
            other.commit()
    assert len(mine) == 2 and len(theirs) == 2 and not set(mine) & set(theirs)


def test_old_sent_and_failed_mail_is_purged_after_the_retention(app, server):
    server.start(Inbox())
    queue(app, "a@example.org")
    send_queued_mail(app)
    [row] = rows(app)
    assert row.status == MailStatus.SENT and row.message is None
    assert send_queued_mail(app, now=utcnow() + timedelta(days=29)).purged == 0
    assert send_queued_mail(app, now=utcnow() + timedelta(days=31)).purged == 1
    assert rows(app) == []


def test_admins_see_queued_sent_and_failing_mail_with_addresses_shortened(app, client, auth, server):
    queue(app, "camille@example.org")
    send_queued_mail(app)  # nothing listens: one failure, retried later
    auth.login_as(Role.ADMIN, email="boss@example.org", language="en")
    page = client.get("/admin/mail", headers=ENGLISH)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert '<dd id="count-queued">1</dd>' in main
    assert "ConnectionRefusedError" in main and "ca…@example.org" in main and "camille@example.org" not in main
    assert 'href="/admin/mail"' in html  # in the admin menu


@pytest.mark.parametrize(("address", "shown"), [
    ("camille@example.org", "ca…@example.org"),
    ("jo@example.org", "j…@example.org"),  # two letters shown would be the whole name
    ("abc@example.org", "a…@example.org"),
    ("x@example.org", "…@example.org"),
])
def test_a_shortened_address_never_shows_a_short_name_whole(address, shown):
    assert mail_outbox.masked(address) == shown


@pytest.mark.parametrize("role", [Role.CURATOR, Role.AMBASSADOR])
def test_only_admins_see_the_mail_page(client, auth, role):
    auth.login_as(role)
    assert client.get("/admin/mail").status_code == 403


def test_the_migration_goes_down_and_up(app):
    migrate.downgrade(app, "0023")
    migrate.upgrade(app)
    queue(app, "a@example.org")
    assert len(rows(app)) == 1


def test_the_persons_mail_is_in_their_export(app, client, auth, server):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "personal-data-export.schema.json")
                        .read_text())
    server.start(Inbox())
    person = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    queue(app, "camille@example.org", user_id=person.id, kind=MailKind.SIGN_IN_LINK)
    queue(app, "other@example.org")
    send_queued_mail(app)
    auth.login(person.email, "ambassador-password")
    data = client.get("/me/data/export.json").get_json()
    jsonschema.validate(data, schema)
    [entry] = data["mail"]
    assert (entry["kind"], entry["status"], entry["attempts"]) == ("sign_in_link", "sent", 1)


def test_a_digest_still_queued_is_not_sent_after_an_unsubscribe_or_leaving(app, auth, server):
    """Withdrawing takes effect at once: a digest or renewal notice waiting in the outbox (the
    server down for a while, say) is dropped, not delivered hours after the person said no."""
    from advocacy.models import Purpose, User
    from advocacy.services import ambassadors, digest
    from test_consent import grant

    stays, unsubscribes, leaves = (auth.create_user(Role.AMBASSADOR, email=f"{name}@example.org")
                                   for name in ("stays", "unsubscribes", "leaves"))
    for person in (stays, unsubscribes, leaves):
        grant(app, person, Purpose.DIGEST)
        queue(app, person.email, subject="Your week", user_id=person.id, kind=MailKind.DIGEST)
    queue(app, leaves.email, subject="Your mandate", user_id=leaves.id, kind=MailKind.RENEWAL_NOTICE)
    queue(app, unsubscribes.email, subject="Sign in", user_id=unsubscribes.id, kind=MailKind.SIGN_IN_LINK)
    with app.app_context():
        session = get_session()
        digest.unsubscribe(session, session.get(User, unsubscribes.id))
        ambassadors.leave(session, session.get(User, leaves.id))
        session.commit()
    inbox = Inbox()
    server.start(inbox)
    send_queued_mail(app)
    assert sorted((m["To"], m["Subject"]) for m in inbox.messages) == [
        ("stays@example.org", "Your week"), ("unsubscribes@example.org", "Sign in")]
    assert sorted(r.recipient for r in rows(app)) == ["stays@example.org", "unsubscribes@example.org"]
