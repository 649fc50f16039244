"""The mail module: outbox files by default, a real SMTP server when configured."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

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
