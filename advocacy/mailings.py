"""Scheduled e-mails: the weekly digest and the mandate-renewal notice.

Both follow one rule for "at most once": the delivery row is claimed and
committed, the message then leaves through the mail module (outbox or SMTP),
and the outcome is written in a second commit. A failure is logged and the
row says FAILED; it is never retried, because a retry after a send that
actually went out (a timeout after the server accepted it) would be a
second e-mail. A crash between the two commits leaves a CLAIMED row: the
same, nobody is mailed twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .db import get_session
from .emails import mail_settings
from .models import DigestDelivery, RenewalNotice, User, utcnow
from .program_clock import program_zone
from .services import clock, digest, mail, renewals
from .urls import can_build_external_urls, external_url

log = logging.getLogger(__name__)


def _language(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.language if user.language and user.language in languages else str(languages[0])


def unsubscribe_url(user: User) -> str:
    token = digest.unsubscribe_token(current_app.config["SECRET_KEY"], user)
    return external_url("digest.unsubscribe", token=token)


def digest_message(user: User, content: digest.DigestContent, *, language: str | None = None,
                   preview: bool = False) -> EmailMessage:
    """The digest as ``user`` gets it, in their language unless ``language`` is given;
    ``preview`` marks the subject, for a copy that is not the real weekly send."""
    program = current_app.config["PROGRAM_NAME"]
    unsubscribe = unsubscribe_url(user)
    links = {c.id: external_url("sharing.panel", content_id=c.id) for c in content.highlights + content.posts}
    context = {"user": user, "program": program, "highlights": content.highlights, "posts": content.posts,
               "links": links, "unsubscribe": unsubscribe, "home": external_url("main.home"),
               "consents": external_url("ambassador.consents")}
    with force_locale(language or _language(user)):
        subject = _("Your week on %(program)s", program=program)
        if preview:
            subject = _("[Preview] %(subject)s", subject=subject)
        text = render_template("mail/digest.txt", **context)
        html = render_template("mail/digest.html", **context)
    message = mail.build_message(mail_settings(), user.email, subject, text, html)
    # RFC 2369 and RFC 8058: mail programs offer their own one-click button,
    # which POSTs "List-Unsubscribe=One-Click" to this address.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Mail programs read <URL> literally: a header longer than 78 characters
    # must not be folded into RFC 2047 encoded words, which the default
    # policy does to a long word. 998 is the line limit of RFC 5322.
    message.policy = message.policy.clone(max_line_length=998)
    return message


def renewal_message(user: User, profile) -> EmailMessage:
    program = current_app.config["PROGRAM_NAME"]
    with force_locale(_language(user)):
        subject = _("Your %(program)s mandate ends soon", program=program)
        text = render_template("mail/renewal.txt", user=user, program=program, ends_on=profile.mandate_ends_on,
                               link=external_url("ambassador.profile"))
    return mail.build_message(mail_settings(), user.email, subject, text)


def _deliver(session, row_key: tuple, model, message: EmailMessage) -> bool:
    """After the claim is committed: hand the message over, then record what happened."""
    settings = mail_settings()
    try:
        mail.send_now(settings, message)
        sent = True
    except (OSError, smtplib.SMTPException):
        # No address in the log: a log line would outlive an erasure.
        log.exception("could not send %s %s; not retried", model.__tablename__, message["Message-ID"])
        sent = False
    row = session.get(model, row_key)
    if row is not None:
        digest.record_outcome(session, row, sent, utcnow())
    else:  # erased in between: nothing left to record, and the erasure's sweep of the outbox came too early
        mail.remove_outbox_mail(settings.outbox, str(message["To"]))
    session.commit()
    return sent


@dataclass
class Tally:
    """What one run did, for whoever ran it by hand (``advocacy jobs run``)."""

    due: int = 0
    sent: int = 0
    failed: int = 0  # handed over and refused (SMTP down...): never retried
    skipped: int = 0  # could not be rendered, or another run had claimed it
    no_base_url: bool = False

    def describe(self) -> str:
        if self.no_base_url:
            return "nothing sent: set BASE_URL so that e-mails can link back to the program"
        return f"{self.due} due, {self.sent} sent, {self.failed} failed, {self.skipped} skipped"


def _send_each(session, planned: list, claim: Callable, build: Callable, model, key: Callable) -> Tally:
    tally = Tally(due=len(planned))
    for item in planned:
        try:
            message = build(item)
        except Exception:  # one bad rendering must not stop everyone else's e-mail
            session.rollback()
            log.exception("could not prepare %s", model.__tablename__)
            tally.skipped += 1
            continue
        if not claim(item):
            session.rollback()  # someone else (another run) has it
            tally.skipped += 1
            continue
        session.commit()  # the claim is durable before the e-mail leaves
        if _deliver(session, key(item), model, message):
            tally.sent += 1
        else:
            tally.failed += 1
    return tally


def send_digests(now: datetime | None = None) -> Tally:
    """Scheduled: this week's digest to whoever is due it, once the admins' slot has passed."""
    if not can_build_external_urls():
        log.error("digest not sent: set BASE_URL so that e-mails can link back to %s",
                  current_app.config["PROGRAM_NAME"])
        return Tally(no_base_url=True)
    session = get_session()
    now = now or utcnow()
    week, planned = digest.plan(session, now, program_zone())
    return _send_each(
        session, planned,
        claim=lambda p: digest.claim_delivery(session, p.user.id, week, p.content.size, now),
        build=lambda p: digest_message(p.user, p.content),
        model=DigestDelivery, key=lambda p: (p.user.id, week.start),
    )


def send_digest_preview(admin: User, now: datetime | None = None) -> str:
    """The digest as ``admin`` would receive it, to their own address, now; nothing recorded.

    Staff have no needs or topics, so the sample is the week's highlights and
    newest posts (``content_for(fitting_only=False)``). Returns ``sent``,
    ``empty`` (nothing this week: nobody would get a digest) or ``failed``
    (the mail server refused or could not be reached; logged).
    """
    session = get_session()
    now = now or utcnow()
    week = digest.upcoming_week(session, now, program_zone())
    content = digest.content_for(session, admin.id, now, week, fitting_only=False)
    if not content.size:
        return "empty"
    try:
        mail.send_now(mail_settings(), digest_message(admin, content, preview=True))
    except (OSError, smtplib.SMTPException):
        log.exception("could not send the digest preview")
        return "failed"
    return "sent"


def send_renewal_notices(now: datetime | None = None) -> Tally:
    """Scheduled: one notice per mandate, from 30 days before it ends."""
    if not can_build_external_urls():
        log.error("renewal notices not sent: set BASE_URL")
        return Tally(no_base_url=True)
    session = get_session()
    now = now or utcnow()
    planned = renewals.due_notices(session, clock.program_day(now, program_zone()))
    return _send_each(
        session, planned,
        claim=lambda p: renewals.claim_notice(session, p[0].id, p[1].mandate_ends_on, now),
        build=lambda p: renewal_message(*p),
        model=RenewalNotice, key=lambda p: (p[0].id, p[1].mandate_ends_on),
    )
