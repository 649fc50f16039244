"""How one e-mail leaves: building it, and handing it over.

By default messages are written as .eml files to ``instance/outbox/`` so a
fresh install needs no mail server; with ``SMTP_HOST`` set they go over SMTP.
Nothing calls this from a request: e-mails are queued in the database
(services/mail_outbox.py) in the transaction that causes them, and the
``send-mail`` job hands them over here.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.parser import BytesParser
from email.utils import formataddr, formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path


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


def _utf8_quoted_printable() -> Charset:
    # Quoted-printable rather than base64: the .eml files stay readable, and no line is over 76.
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def _text_part(body: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part.set_payload(body, _utf8_quoted_printable())
    return part


def build_message(settings: MailSettings, to: str, subject: str, text: str, html: str | None = None) -> Message:
    """A text e-mail, with an HTML alternative when ``html`` is given.

    Built with the classic (compat32) classes: EmailMessage parses every
    header it is given into objects, which cost more than rendering the
    digest's two templates (benchmarks/digest.py, 2,000 digests a run).
    """
    message: Message
    if html is None:
        message = _text_part(text, "plain")
    else:
        message = MIMEMultipart("alternative")
        message.attach(_text_part(text, "plain"))
        message.attach(_text_part(html, "html"))
    name, address = parseaddr(settings.sender)
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = to
    # The classic API takes a Header (encoded words for a non-ASCII subject); typeshed allows str only.
    message["Subject"] = _header(subject)  # type: ignore[assignment]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    return message


class DeliveryError(Exception):
    """A message that was not handed over; ``retry`` says whether trying again is safe and useful.

    Safe: the server said no (a 4xx reply: try later) or could not be reached
    before the message was sent. Not retried: a refusal for good (5xx), or a
    connection lost *while* the message was being sent, after which the
    server may have accepted it: a retry could send it twice.
    """

    def __init__(self, cause: BaseException, *, retry: bool) -> None:
        super().__init__(type(cause).__name__)
        self.cause, self.retry = cause, retry

    @property
    def kind(self) -> str:
        """The cause's class name: what the outbox records, since its text can quote the address."""
        return type(self.cause).__name__


def send_now(settings: MailSettings, message: Message) -> None:
    deliver(settings, bytes(message))


def deliver(settings: MailSettings, raw: bytes) -> None:
    """Hand one rendered message over: to the SMTP server, or to instance/outbox/ without one.

    Raises DeliveryError.
    """
    with Courier(settings) as courier:
        courier.deliver(raw)


# Messages handed over one SMTP connection before it is closed and another
# opened: some servers cap the messages of a session, and one that refuses
# the next message for that reason would make it wait for a retry.
MESSAGES_PER_CONNECTION = 100


class _Dropped(Exception):
    """The connection failed before the message started to travel: trying it again is safe."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause


class Courier:
    """Hands messages over one after the other, on one SMTP connection kept open between them.

    ``with Courier(settings) as courier: courier.deliver(raw)``. The send-mail
    job opened one connection per message: 2,000 digests, 2,000 connections
    (and TLS handshakes and logins). Each message is still its own SMTP
    transaction, judged as ``deliver`` judges it (see DeliveryError); a
    server refusal leaves the connection usable (RSET), a connection lost
    while a message travels is closed and that message not retried, and a
    connection found closed before a message started (the server's idle
    timeout) is reopened once for it.
    """

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        self._messages = 0  # on the open connection

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def deliver(self, raw: bytes) -> None:
        """Raises DeliveryError."""
        if not self.settings.smtp_host:
            try:
                _write_outbox(self.settings.outbox, raw)
            except OSError as error:  # a full disk, a read-only folder: another try may work
                raise DeliveryError(error, retry=True) from error
            return
        sender, recipients = envelope(self.settings, raw)
        # SMTP wants CRLF line ends (smtplib converts only str messages), and
        # its dot-stuffing is only undone after a CRLF.
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        reused = self._client is not None
        try:
            self._transaction(sender, recipients, raw)
        except _Dropped as dropped:
            if not reused:
                raise DeliveryError(dropped.cause, retry=True) from dropped.cause
            try:  # the kept connection had been closed by the server: a fresh one, once
                self._transaction(sender, recipients, raw)
            except _Dropped as again:
                raise DeliveryError(again.cause, retry=True) from again.cause

    def _transaction(self, sender: str, recipients: list[str], raw: bytes) -> None:
        # Step by step rather than send_message(), to know whether the message
        # itself had started to travel when something broke (see DeliveryError).
        client = self._open()
        try:
            code, reply = client.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = {to: client.rcpt(to) for to in recipients}
            refused = {to: answer for to, answer in refused.items() if answer[0] not in (250, 251)}
            if refused:
                code = max(answer[0] for answer in refused.values())
                raise smtplib.SMTPResponseException(code, b"recipient refused")
        except smtplib.SMTPResponseException as error:
            self._reset()
            raise DeliveryError(error, retry=error.smtp_code < 500) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise _Dropped(error) from error
        try:
            client.data(raw)
        except smtplib.SMTPResponseException as error:  # the server answered: it did not take the message
            self._reset()
            raise DeliveryError(error, retry=error.smtp_code < 500) from error
        except (OSError, smtplib.SMTPException) as error:  # cut off mid-message: it may have been taken
            self._drop()
            raise DeliveryError(error, retry=False) from error
        self._messages += 1
        if self._messages >= MESSAGES_PER_CONNECTION:
            self.close()

    def _open(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        settings = self.settings
        try:
            client = _connect(settings.smtp_host or "", settings)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(error, retry=True) from error
        try:
            if settings.smtp_starttls and not settings.smtp_ssl:
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                client.login(settings.smtp_username, settings.smtp_password or "")
            client.ehlo_or_helo_if_needed()
        except smtplib.SMTPResponseException as error:
            client.close()
            raise DeliveryError(error, retry=error.smtp_code < 500) from error
        except (OSError, smtplib.SMTPException) as error:
            client.close()
            raise DeliveryError(error, retry=True) from error
        self._client, self._messages = client, 0
        return client

    def _reset(self) -> None:
        """After a refusal: clear the transaction for the next message, or drop a connection that cannot."""
        if self._client is None:
            return
        try:
            code, _reply = self._client.rset()
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def close(self) -> None:
        """Say goodbye and close; the messages sent were accepted, whatever the goodbye does."""
        if self._client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._client.quit()
            self._drop()


def _write_outbox(outbox: Path, raw: bytes) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(raw)
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


def envelope(settings: MailSettings, raw: bytes) -> tuple[str, list[str]]:
    """The SMTP envelope: the sender's address and every recipient (To, Cc, Bcc) of the message."""
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    recipients = [address for _name, address in getaddresses(
        [str(value) for field in ("To", "Cc", "Bcc") for value in message.get_all(field, [])]) if address]
    return parseaddr(settings.sender)[1], recipients


def _connect(host: str, settings: MailSettings) -> smtplib.SMTP:
    if settings.smtp_ssl:
        return smtplib.SMTP_SSL(host, settings.smtp_port, timeout=settings.smtp_timeout,
                                context=ssl.create_default_context())
    return smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout)
