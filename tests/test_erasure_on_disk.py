"""Erasure leaves nothing on disk: not in SQLite's file, its write-ahead log, or the mail outbox."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import delete, event
from sqlalchemy.engine import make_url

from advocacy import jobs, mailings
from advocacy.db import get_engine, get_session, make_engine, truncate_sqlite_wal
from advocacy.emails import mail_settings
from advocacy.models import FeedbackKind, MailKind, OutboxMail, Purpose, Role, User, utcnow
from advocacy.services import accounts, ambassadors, digest, feedback, mail, mail_outbox, thanks
from digest_helpers import BASE_URL, grant, local_today, next_monday, publish, set_profile
from mail_helpers import send_queued_mail

NAME = "Zephyrine Quaglioni"
EMAIL = "zephyrine.quaglioni@example.org"
FEEDBACK = "quaglioni-irritant: the share button hides under the keyboard"
THANKS = "Merci quaglioni-thanks for the lunch talk"
MASTODON = "quaglioni.social"
NEEDLES = [NAME, EMAIL, FEEDBACK, THANKS, MASTODON]

sqlite_only = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="reads SQLite's own files")


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE_URL}  # the jobs' e-mails need it; no SMTP_HOST: they go to the outbox


def database_files(app) -> dict[str, bytes]:
    with app.app_context():
        path = Path(make_url(app.config["DATABASE_URL"]).database or "")
    return {candidate.name: candidate.read_bytes()
            for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if candidate.exists()}


def traces(files: dict[str, bytes], needles=NEEDLES) -> list[tuple[str, str]]:
    return [(name, needle) for name, data in files.items() for needle in needles if needle.encode() in data]


def a_person_with_everything(app, auth) -> User:
    """An invited ambassador with a profile, a named feedback item and thanks by name."""
    admin = auth.create_user(Role.ADMIN, email="boss@example.org")
    with app.app_context():
        session = get_session()
        accounts.invite(session, email=EMAIL, role=Role.AMBASSADOR,
                        invited_by=session.get(User, admin.id), ttl_days=7)
        session.commit()
    user = auth.login_as(Role.AMBASSADOR, email=EMAIL, name=NAME, language="en")
    grant(app, user, Purpose.NAMED_THANKS)
    with app.app_context():
        session = get_session()
        person = session.get(User, user.id)
        ambassadors.update_profile(session, person, ambassadors.ProfileChanges(
            networks=["mastodon"], mastodon_instance=MASTODON, department_id=None, language="en",
            paused_until=None), local_today())
        feedback.submit(session, person, FeedbackKind.IRRITANT, FEEDBACK, anonymous=False, today=local_today())
        thanks.post(session, THANKS, local_today(), thanked_user_id=user.id)
        session.commit()
    return user


def erase(client):
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.headers["Location"] == "/login"


@sqlite_only
def test_erased_data_is_in_no_byte_of_the_database_its_log_or_shared_memory(app, client, auth):
    a_person_with_everything(app, auth)
    before = database_files(app)
    assert {needle for _file, needle in traces(before)} == set(NEEDLES)  # the scan finds them

    erase(client)
    after = database_files(app)
    assert traces(after) == []
    assert after.get("test.sqlite3-wal", b"") == b""  # the log was emptied into the file
    assert b"boss@example.org" in after["test.sqlite3"]  # the others' data is still there


@sqlite_only
def test_a_reader_that_holds_the_log_is_reported_and_the_scheduler_empties_it_later(app, client, auth, caplog):
    a_person_with_everything(app, auth)
    with app.app_context():
        path = make_url(app.config["DATABASE_URL"]).database
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM users").fetchone()[0] == 2  # a snapshot from before the erasure
    caplog.set_level(logging.WARNING, logger="advocacy.db")
    erase(client)  # waits for the reader a moment, then says so
    assert "checkpoint incomplete" in caplog.text and EMAIL not in caplog.text
    assert traces(database_files(app))  # still in the log
    with app.app_context():
        assert truncate_sqlite_wal(get_engine(), wait_seconds=0.1) is False
    reader.execute("COMMIT")
    reader.close()
    job = {job_id: function for job_id, function, _trigger in jobs.JOBS}["empty-sqlite-log"]
    jobs.run_job(app, job, need_lease=True)
    assert traces(database_files(app)) == []


def outbox_messages(app) -> list:
    send_queued_mail(app)
    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(Path(app.instance_path, "outbox").glob("*.eml"))]


def test_erasure_deletes_the_outbox_mail_to_the_person_and_only_theirs(app, client, auth):
    auth.login_as(Role.ADMIN, email="boss@example.org")
    for address in (EMAIL, "someone.else@example.org"):
        assert client.post("/admin/invitations", data={"email": address, "role": "ambassador"}).status_code == 302
    auth.logout()
    user = auth.create_user(Role.AMBASSADOR, email=EMAIL, name=NAME, language="en")
    grant(app, user, Purpose.DIGEST)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    set_profile(app, user, mandate_ends_on=local_today() + timedelta(days=30))
    with app.app_context():
        assert mailings.send_digests(now=now).queued == 1
        assert mailings.send_renewal_notices().queued == 1
    subjects = {message["Subject"] for message in outbox_messages(app) if message["To"] == EMAIL}
    assert len(subjects) == 3  # the invitation, the digest, the renewal notice
    # A message to someone else that mentions the address in a base64 body: found by what it says.
    mention = EmailMessage()
    mention["To"] = "team@example.org"
    mention.set_content(f"Écrire à {EMAIL.upper()} à propos de l'événement", cte="base64")
    assert EMAIL.upper().encode() not in bytes(mention)
    mail.send_now(mail.MailSettings(sender="relais@example.org", outbox=Path(app.instance_path, "outbox")), mention)

    auth.login(EMAIL, "ambassador-password")
    erase(client)
    remaining = outbox_messages(app)
    assert [message["To"] for message in remaining] == ["someone.else@example.org"]
    assert not any(EMAIL in path.read_text("utf-8", "replace").lower()
                   for path in Path(app.instance_path, "outbox").iterdir())


def test_mail_written_after_the_erasure_of_its_claimant_is_removed_too(app, auth, monkeypatch):
    """The sender claimed the person's digest, the person erased their account, then it was written."""
    user = auth.create_user(Role.AMBASSADOR, email=EMAIL, name=NAME, language="en")
    with app.app_context():
        session = get_session()
        message = mailings.digest_message(session.get(User, user.id), digest.DigestContent([], []))
        row = mail_outbox.enqueue_message(session, message, kind=MailKind.DIGEST, user_id=user.id)
        session.commit()
        settings, tally = mail_settings(), mail_outbox.Tally()
        # The erasure commits (on its own connection) just before the real writer writes the file.
        write = mail.deliver

        def erase_then_write(given_settings, raw):
            with get_engine().begin() as other:
                other.execute(delete(OutboxMail).where(OutboxMail.id == row.id))
            write(given_settings, raw)

        monkeypatch.setattr(mail, "deliver", erase_then_write)
        mail_outbox._send_one(session, settings, mail_outbox.RetryPolicy(), row.id, utcnow(), tally)
    assert tally.sent == 1
    assert list(Path(app.instance_path, "outbox").glob("*.eml")) == []


def test_an_outbox_that_does_not_exist_is_nothing_to_remove(tmp_path):
    assert mail.remove_outbox_mail(tmp_path / "outbox", EMAIL) == 0


def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path):
    """Debian builds SQLite with secure_delete on, python.org's builds do not: the app asks for it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'secure.sqlite3'}")

    def like_a_build_without_it(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    event.listen(engine, "connect", like_a_build_without_it, insert=True)  # runs before the app's pragmas
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
