"""The one way Relais sends e-mail.

By default messages are written as .eml files to ``instance/outbox/`` so a
fresh install needs no mail server; with ``SMTP_HOST`` set they go over SMTP.
Messages queued on a session are delivered only after that session commits,
so nobody is e-mailed about something that was rolled back.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "advocacy.pending_mail"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailSettings:
    sender: str
    outbox: Path
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 10

    @classmethod
    def from_config(cls, config, instance_path: str) -> MailSettings:
        return cls(
            sender=config["MAIL_FROM"],
            outbox=Path(instance_path) / "outbox",
            smtp_host=config.get("SMTP_HOST") or None,
            smtp_port=int(config.get("SMTP_PORT") or 25),
            smtp_username=config.get("SMTP_USERNAME"),
            smtp_password=config.get("SMTP_PASSWORD"),
            smtp_starttls=_truthy(config.get("SMTP_STARTTLS")),
            smtp_ssl=_truthy(config.get("SMTP_SSL")),
            smtp_timeout=float(config.get("SMTP_TIMEOUT") or 10),
        )


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def build_message(
    settings: MailSettings, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip(">") or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_now(settings: MailSettings, message: EmailMessage) -> None:
    if settings.smtp_host:
        _send_smtp(settings.smtp_host, settings, message)
    else:
        _write_outbox(settings.outbox, message)


def send_after_commit(session: Session, settings: MailSettings, message: EmailMessage) -> None:
    """Queue a message on the session; it leaves only if the session commits."""
    # Tie the message to a real transaction, so a rollback always drops it.
    session.connection()
    session.info.setdefault(PENDING_KEY, []).append((settings, message))


@event.listens_for(Session, "after_commit")
def _deliver_pending(session: Session) -> None:
    # The data is committed whatever happens here: a mail server that is down
    # is logged, not turned into an error page for a change that succeeded.
    for settings, message in session.info.pop(PENDING_KEY, []):
        try:
            send_now(settings, message)
        except (OSError, smtplib.SMTPException):
            # No address in the log: a log line would outlive an erasure.
            log.exception("could not send mail %s", message["Message-ID"])


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction) -> None:
    session.info.pop(PENDING_KEY, None)


def _write_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    return path


def remove_outbox_mail(outbox: Path, address: str) -> int:
    """Delete every outbox file addressed to ``address`` or mentioning it; how many.

    Each message is read, not guessed from its file name: its recipients
    (To, Cc, Bcc) and its decoded text parts, so an address written in a
    quoted-printable or base64 body is found too. Mail already handed to an
    SMTP server is out of reach and is not in the outbox.
    """
    if not outbox.is_dir():
        return 0
    wanted = address.strip().casefold()
    removed = 0
    for path in outbox.glob("*.eml"):
        if _mentions(path.read_bytes(), wanted):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _mentions(raw: bytes, wanted: str) -> bool:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    recipients = getaddresses([str(value) for field in ("To", "Cc", "Bcc")
                               for value in message.get_all(field, [])])
    if any(address.casefold() == wanted for _name, address in recipients):
        return True
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                text = part.get_content()
            except (LookupError, ValueError):  # an unknown charset: the raw scan below reads it
                continue
            if wanted in text.casefold():
                return True
    # Other headers (Subject...), and parts the parser could not decode.
    return wanted in raw.decode("utf-8", "replace").casefold()


def _send_smtp(host: str, settings: MailSettings, message: EmailMessage) -> None:
    if settings.smtp_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, settings.smtp_port, timeout=settings.smtp_timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout)
    with client:
        if settings.smtp_starttls and not settings.smtp_ssl:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
        client.send_message(message)
