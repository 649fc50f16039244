"""Arrangements shared by the digest and renewal tests: a real SMTP server, people, content, time."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from advocacy.db import get_session
from advocacy.models import Purpose, Role, User, ambassador_needs
from advocacy.services import consent, contents, taxonomy
from mail_helpers import send_queued_mail

ZONE = ZoneInfo("Europe/Paris")  # the TIMEZONE default
BASE_URL = "https://relais.example.org"


class Inbox:
    """An aiosmtpd handler keeping every message it is handed, parsed."""

    def __init__(self):
        self.messages = []
        self.raw = []  # the bytes as received, for what a mail program reads literally

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.raw.append(envelope.content)
        return "250 OK"

    def raw_header(self, address: str, name: str) -> str:
        """The header's line(s) exactly as they came over the wire."""
        [raw] = [raw for message, raw in zip(self.messages, self.raw, strict=True) if message["To"] == address]
        head = raw.decode("ascii").split("\r\n\r\n", 1)[0].replace("\r\n", "\n")
        [found] = [line for line in head.replace("\n ", " ").replace("\n\t", " ").split("\n")
                   if line.lower().startswith(name.lower() + ":")]
        return found

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, for the length of one test."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def next_monday(at_hour: int = 10) -> datetime:
    """A Monday to come, at this local hour, as a UTC datetime (after the default 09:00 slot)."""
    today = datetime.now(ZONE).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return datetime(monday.year, monday.month, monday.day, at_hour, tzinfo=ZONE).astimezone(UTC)


def grant(app, user, purpose: Purpose, language: str = "en") -> None:
    with app.app_context():
        session = get_session()
        consent.grant(session, session.get(User, user.id), consent.current_text(session, purpose, language))
        session.commit()


def choose_need(app, user, key: str = "visibility") -> int:
    """The person chooses one need; returns its id (to tag content with)."""
    with app.app_context():
        session = get_session()
        need = next(n for n in taxonomy.ensure_needs(session) if n.key == key)
        session.execute(ambassador_needs.insert().values(user_id=user.id, need_id=need.id))
        session.commit()
        return need.id


def publish(app, title: str, at: datetime, *, need_ids=(), highlighted: bool = False,
            summary: str = "") -> int:
    with app.app_context():
        session = get_session()
        content = contents.create_content(session, contents.ContentDraft(
            title=title, summary=summary, target_url=f"https://example.org/{abs(hash(title))}",
            publish_at=at, highlighted=highlighted, need_ids=list(need_ids)), None, at)
        session.commit()
        return content.id


def set_profile(app, user, **values) -> None:
    from advocacy.models import AmbassadorProfile

    with app.app_context():
        session = get_session()
        profile = session.get(AmbassadorProfile, user.id)
        for name, value in values.items():
            setattr(profile, name, value)
        session.commit()


def local_today() -> date:
    return datetime.now(ZONE).date()


def camille_is_sent_a_digest(app, auth) -> User:
    """Camille, with the digest consent, is sent this week's digest (one highlight in it)."""
    from advocacy import mailings

    user = auth.create_user(Role.AMBASSADOR, email="camille@example.org", name="Camille", language="en")
    grant(app, user, Purpose.DIGEST)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    with app.app_context():
        assert mailings.send_digests(now=now).queued == 1
        assert mailings.send_digests(now=now).queued == 0  # once a week, however often the job runs
    send_queued_mail(app)
    return user
