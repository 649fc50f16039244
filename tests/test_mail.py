"""The mail module: outbox files by default, a real SMTP server when configured."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import User
from advocacy.services import mail


class Collector(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    handler = Collector()
    with socket.socket() as probe:  # aiosmtpd needs a real port to check readiness
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, handler
    controller.stop()


def test_smtp_delivery(tmp_path, smtp_server):
    controller, handler = smtp_server
    settings = mail.MailSettings(sender="Relais <relais@example.org>", outbox=tmp_path,
                                 smtp_host="127.0.0.1", smtp_port=controller.port)
    mail.send_now(settings, mail.build_message(settings, "camille@example.org", "Bonjour", "Texte é", "<p>HTML</p>"))
    [received] = handler.messages
    assert received["To"] == "camille@example.org"
    assert received["Subject"] == "Bonjour"
    assert not list(tmp_path.glob("*.eml"))


def test_outbox_by_default(tmp_path):
    settings = mail.MailSettings(sender="relais@example.org", outbox=tmp_path / "outbox")
    mail.send_now(settings, mail.build_message(settings, "a@example.org", "S", "T"))
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_queued_mail_leaves_only_after_commit(app, tmp_path):
    settings = mail.MailSettings(sender="relais@example.org", outbox=tmp_path / "out")
    with app.app_context():
        session = get_session()
        mail.send_after_commit(session, settings, mail.build_message(settings, "a@example.org", "S", "T"))
        assert not (tmp_path / "out").exists()
        session.rollback()
        session.commit()
        assert not (tmp_path / "out").exists()  # dropped with the rollback
        mail.send_after_commit(session, settings, mail.build_message(settings, "b@example.org", "S", "T"))
        session.scalar(select(User).limit(1))
        session.commit()
    assert len(list((tmp_path / "out").glob("*.eml"))) == 1


def test_smtp_failure_does_not_undo_the_commit(app, tmp_path, caplog):
    settings = mail.MailSettings(sender="relais@example.org", outbox=tmp_path, smtp_host="127.0.0.1", smtp_port=1)
    with app.app_context():
        session = get_session()
        mail.send_after_commit(session, settings, mail.build_message(settings, "a@example.org", "S", "T"))
        session.commit()  # does not raise
    assert "could not send mail" in caplog.text
