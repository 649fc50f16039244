"""Scheduled e-mails: the weekly digest, the mandate-renewal notice and the notifications' summary.

Both follow one rule for "at most once": the delivery row is claimed and
the e-mail queued in the mail outbox in the same commit, so there is one
e-mail per claim and one claim per person and week (or mandate). The
send-mail job then sends it, retrying a passing failure, and its outcome
hook (services/digest.py, services/renewals.py) marks the row SENT or
FAILED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from functools import partial

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .db import get_session
from .emails import mail_settings
from .i18n import language_of
from .models import EmailFrequency, MailKind, User, utcnow
from .program_clock import program_zone
from .services import clock, digest, mail, mail_outbox, notification_mail, notifications, renewals
from .urls import can_build_external_urls, external_url

log = logging.getLogger(__name__)


def unsubscribe_url(user: User) -> str:
    token = digest.unsubscribe_token(current_app.config["SECRET_KEY"], user)
    return external_url("digest.unsubscribe", token=token)


def digest_message(user: User, content: digest.DigestContent, *, language: str | None = None,
                   preview: bool = False) -> Message:
    """The digest as ``user`` gets it, in their language unless ``language`` is given;
    ``preview`` marks the subject, for a copy that is not the real weekly send."""
    program = current_app.config["PROGRAM_NAME"]
    unsubscribe = unsubscribe_url(user)
    links = {c.id: external_url("sharing.panel", content_id=c.id) for c in content.highlights + content.posts}
    context = {"user": user, "program": program, "highlights": content.highlights, "posts": content.posts,
               "links": links, "unsubscribe": unsubscribe, "home": external_url("main.home"),
               "consents": external_url("ambassador.consents")}
    with force_locale(language or language_of(user.language)):
        subject = _("Your week on %(program)s", program=program)
        if preview:
            subject = _("[Preview] %(subject)s", subject=subject)
        text = render_template("mail/digest.txt", **context)
        html = render_template("mail/digest.html", **context)
    return with_one_click_unsubscribe(mail.build_message(mail_settings(), user.email, subject, text, html),
                                      unsubscribe)


def with_one_click_unsubscribe(message: Message, unsubscribe: str) -> Message:
    """The headers of every e-mail a person subscribed to (the digest, the notifications)."""
    # RFC 2369 and RFC 8058: mail programs offer their own one-click button,
    # which POSTs "List-Unsubscribe=One-Click" to this address.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Mail programs read <URL> literally: a header longer than 78 characters
    # must not be folded into RFC 2047 encoded words, which the default
    # policy does to a long word. 998 is the line limit of RFC 5322.
    message.policy = message.policy.clone(max_line_length=998)
    return message


def renewal_message(user: User, profile) -> Message:
    program = current_app.config["PROGRAM_NAME"]
    with force_locale(language_of(user.language)):
        subject = _("Your %(program)s mandate ends soon", program=program)
        text = render_template("mail/renewal.txt", user=user, program=program, ends_on=profile.mandate_ends_on,
                               link=external_url("ambassador.profile"))
    return mail.build_message(mail_settings(), user.email, subject, text)


@dataclass
class Tally:
    """What one run did, for whoever ran it by hand (``advocacy jobs run``)."""

    due: int = 0
    queued: int = 0  # written to the mail outbox; the send-mail job sends them
    skipped: int = 0  # could not be rendered, or another run had claimed it
    no_base_url: bool = False

    def describe(self) -> str:
        if self.no_base_url:
            return "nothing sent: set BASE_URL so that e-mails can link back to the program"
        return f"{self.due} due, {self.queued} queued, {self.skipped} skipped"


def _queue(session, tally: Tally, build: Callable[[], Message], claim: Callable[[], bool], *, kind: str,
           user_id: int, reference: str) -> None:
    """Claim the delivery row and queue the e-mail in the same unit of work: both or neither."""
    tally.due += 1
    try:
        message = build()
    except Exception:  # one bad rendering must not stop everyone else's e-mail
        log.exception("could not prepare %s", kind)
        tally.skipped += 1
        return
    if not claim():  # another run has it
        tally.skipped += 1
        return
    mail_outbox.enqueue_message(session, message, kind=kind, user_id=user_id, reference=reference)
    tally.queued += 1


def send_digests(now: datetime | None = None) -> Tally:
    """Scheduled: this week's digest to whoever is due it, once the admins' slot has passed.

    Recipients are read a batch at a time and each batch is committed (claims
    and queued e-mails together), so memory stays flat and a run stopped
    half-way leaves whole batches done.
    """
    if not can_build_external_urls():
        log.error("digest not sent: set BASE_URL so that e-mails can link back to %s",
                  current_app.config["PROGRAM_NAME"])
        return Tally(no_base_url=True)
    session = get_session()
    now = now or utcnow()
    tally = Tally()
    week = digest.due_week(session, now, program_zone())
    if week is None:
        return tally
    highlights = digest.week_highlight_count(session, now, week)
    for batch in digest.recipient_batches(session, week, clock.program_day(now, program_zone())):
        prepared: dict[int, tuple[int, Message]] = {}
        contents = digest.contents_for_batch(session, [user.id for user in batch], now, week,
                                             highlights_at_most=highlights)
        for user in batch:
            content = contents[user.id]
            if not content.size:
                continue
            tally.due += 1
            try:
                prepared[user.id] = (content.size, digest_message(user, content))
            except Exception:  # one bad rendering must not stop everyone else's e-mail
                log.exception("could not prepare %s", MailKind.DIGEST)
                tally.skipped += 1
        # Claims and e-mails of the batch in one commit: both or neither.
        claimed = digest.claim_deliveries(session, week, {uid: size for uid, (size, _m) in prepared.items()}, now)
        tally.queued += mail_outbox.enqueue_many(
            session, [(message, uid) for uid, (_size, message) in prepared.items() if uid in claimed],
            kind=MailKind.DIGEST, reference=week.start.isoformat())
        tally.skipped += len(prepared) - len(claimed)  # another run had them
        session.commit()
    return tally


def send_digest_preview(admin: User, now: datetime | None = None) -> str:
    """Queue the digest as ``admin`` would receive it, to their own address; nothing else recorded.

    Staff have no needs or topics, so the sample is the week's highlights and
    newest posts (``content_for(fitting_only=False)``). Returns ``queued``, or
    ``empty`` (nothing this week: nobody would get a digest). The caller commits.
    """
    session = get_session()
    now = now or utcnow()
    week = digest.upcoming_week(session, now, program_zone())
    content = digest.content_for(session, admin.id, now, week, fitting_only=False)
    if not content.size:
        return "empty"
    mail_outbox.enqueue_message(session, digest_message(admin, content, preview=True), kind=MailKind.DIGEST_PREVIEW,
                                user_id=admin.id)
    return "queued"


def send_renewal_notices(now: datetime | None = None) -> Tally:
    """Scheduled: one notice per mandate, from 30 days before it ends."""
    if not can_build_external_urls():
        log.error("renewal notices not sent: set BASE_URL")
        return Tally(no_base_url=True)
    session = get_session()
    now = now or utcnow()
    tally = Tally()
    for user, profile in renewals.due_notices(session, clock.program_day(now, program_zone())):
        _queue(session, tally, partial(renewal_message, user, profile),
               partial(renewals.claim_notice, session, user.id, profile.mandate_ends_on, now),
               kind=MailKind.RENEWAL_NOTICE, user_id=user.id, reference=profile.mandate_ends_on.isoformat())
        # In the list only: this notice is the event's e-mail (services/notifications.py).
        notifications.mandate_ending(session, user.id, profile.mandate_ends_on, now)
        session.commit()
    return tally


def notifications_message(user: User, entries: list[notifications.Entry]) -> Message:
    """The grouped summary, in the person's language, with its one-click unsubscribe."""
    program = current_app.config["PROGRAM_NAME"]
    token = digest.unsubscribe_token(current_app.config["SECRET_KEY"], user, notification_mail.UNSUBSCRIBE_SALT)
    unsubscribe = external_url("notifications.unsubscribe", token=token)
    links = {entry.id: external_url(entry.target[0], **entry.target[1]) for entry in entries}
    with force_locale(language_of(user.language)):
        subject = _("News from %(program)s", program=program)
        text = render_template("mail/notifications.txt", user=user, program=program, entries=entries, links=links,
                               unsubscribe=unsubscribe, settings=external_url("notifications.index"))
    return with_one_click_unsubscribe(mail.build_message(mail_settings(), user.email, subject, text), unsubscribe)


def send_notifications(now: datetime | None = None) -> Tally:
    """Scheduled: each person's waiting notifications in one e-mail, no more often than their rhythm allows.

    A batch of people at a time, committed with the e-mails it queued (services/notification_mail.py)."""
    if not can_build_external_urls():
        log.error("notifications not sent: set BASE_URL")
        return Tally(no_base_url=True)
    session = get_session()
    now = now or utcnow()
    tally = Tally()
    zone, minutes = program_zone(), float(current_app.config["NOTIFICATION_EMAIL_MINUTES"])
    for batch in notification_mail.waiting_batches(session, now):
        settings = notification_mail.settings_of(session, [u.id for u in batch])
        due = [u for u in batch if notification_mail.may_send(
            settings[u.id].frequency if u.id in settings else EmailFrequency.DAILY,
            settings[u.id].last_emailed_at if u.id in settings else None, now, zone, minutes)]
        taken = notification_mail.take(session, [u.id for u in due], now)
        # Titles and links for the whole batch at once: one statement per kind, not per person.
        taken_rows = [row for rows in taken.values() for row in rows]
        described = dict(zip((row.id for row in taken_rows), notifications.describe(session, taken_rows),
                             strict=True))
        messages: list[tuple[Message, int | None]] = []
        for user in due:
            if user.id not in taken:  # another run had them
                continue
            tally.due += 1
            try:
                messages.append((notifications_message(user, [described[row.id] for row in taken[user.id]]),
                                 user.id))
            except Exception:  # one bad rendering must not stop everyone else's e-mail
                log.exception("could not prepare %s", MailKind.NOTIFICATIONS)
                notification_mail.put_back(session, taken[user.id])  # nothing lost: the next run tries again
                tally.skipped += 1
        notification_mail.record_sent(session, [uid for _m, uid in messages if uid is not None], now)
        tally.queued += mail_outbox.enqueue_many(session, messages, kind=MailKind.NOTIFICATIONS)
        session.commit()
    return tally
