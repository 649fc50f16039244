"""The mail outbox: queue an e-mail with the change that causes it; send what is queued.

- **Queue.** ``enqueue`` (or ``enqueue_message`` for a message already
  built) adds a row to the caller's unit of work: the e-mail exists if and
  only if the change commits, and queuing touches no mail server, so no
  request waits on one (and asking for a sign-in link no longer takes a
  mail server's round trip longer for a known address than for an unknown
  one).
- **Send.** ``send_queued`` (the ``send-mail`` job) claims due rows, commits
  the claim, hands each message over (services/mail.py) and records the
  outcome in its own commit. A failure that is safe to retry is tried again
  after an exponential back-off (``RetryPolicy``), until the last attempt.
- **Never twice.** A claim is an UPDATE from ``queued`` to ``sending``
  guarded by the old status, so two senders never claim the same row. A
  sender that dies between the server's acceptance and its own status write
  leaves the row ``sending``: it is not sent again but marked failed
  (``Interrupted``) after ``STUCK_AFTER``, for admins to see. We chose "at
  most once": a mail lost to a crash at that instant is visible on the
  admins' page; a second digest or a second sign-in link in everyone's
  inbox would not be. The same goes for a connection lost while the message
  itself travels (see mail.DeliveryError).
- **Kept.** A sent or failed row keeps no body (its kind, address, times
  and the class of its last error only) and is deleted after ``keep_sent``.
  Erasure deletes the person's rows, whatever their status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from email.utils import getaddresses

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ..models import MailStatus, OutboxMail, User
from . import clock, mail, personal_data

log = logging.getLogger(__name__)

# A row claimed longer ago than this was being sent by a run that died.
STUCK_AFTER = timedelta(hours=1)
INTERRUPTED = "Interrupted"

# kind -> function(session, row, sent) run in the transaction that records
# the row's final outcome (sent, or failed for good). The digest uses it to
# mark its delivery row; issue 15's notifications can too.
OUTCOME_HOOKS: dict[str, Callable[[Session, OutboxMail, bool], None]] = {}


def on_outcome(kind: str):
    def register(function: Callable[[Session, OutboxMail, bool], None]):
        OUTCOME_HOOKS[kind] = function
        return function

    return register


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a mail that fails for a passing reason is tried again."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)
    keep_sent: timedelta = timedelta(days=30)
    batch_size: int = 100

    @classmethod
    def from_config(cls, config) -> RetryPolicy:
        return cls(max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
                   first_delay=timedelta(seconds=float(config["MAIL_RETRY_SECONDS"])),
                   keep_sent=timedelta(days=float(config["MAIL_KEEP_DAYS"])))

    def delay_after(self, attempts: int) -> timedelta:
        """The wait before the next try, after ``attempts`` failed ones: 1, 2, 4, 8... times the first."""
        return self.first_delay * 2 ** (attempts - 1)


# --- queue ---------------------------------------------------------------------------

def enqueue(session: Session, settings: mail.MailSettings, *, to: str, subject: str, text: str,
            html: str | None = None, headers: dict[str, str] | None = None, kind: str,
            user_id: int | None = None, reference: str | None = None) -> OutboxMail:
    """Queue one e-mail in the caller's unit of work; it leaves once that commits."""
    message = mail.build_message(settings, to, subject, text, html)
    for name, value in (headers or {}).items():
        message[name] = value
    if headers:
        # Headers such as List-Unsubscribe are read literally by mail programs: never fold
        # a long one into encoded words. 998 is RFC 5322's line limit.
        message.policy = message.policy.clone(max_line_length=998)
    return enqueue_message(session, message, kind=kind, user_id=user_id, reference=reference)


def enqueue_message(session: Session, message: Message, *, kind: str, user_id: int | None = None,
                    reference: str | None = None) -> OutboxMail:
    row = OutboxMail(**_row(message, kind=kind, user_id=user_id, reference=reference, now=clock.now()))
    session.add(row)
    session.flush()
    return row


def enqueue_many(session: Session, messages: list[tuple[Message, int | None]], *, kind: str,
                 reference: str | None = None) -> int:
    """Queue (message, user id) pairs in one statement (the digest's batches); how many."""
    if messages:
        now = clock.now()
        session.execute(insert(OutboxMail), [_row(message, kind=kind, user_id=user_id, reference=reference, now=now)
                                             for message, user_id in messages])
    return len(messages)


def _row(message: Message, *, kind: str, user_id: int | None, reference: str | None, now: datetime) -> dict:
    [(_name, address)] = getaddresses([str(message["To"])])
    return {"kind": kind, "user_id": user_id, "recipient": address.casefold(), "reference": reference,
            "message": bytes(message), "status": MailStatus.QUEUED, "attempts": 0, "next_attempt_at": now,
            "created_at": now}


def drop_queued(session: Session, user_id: int, kinds: tuple[str, ...]) -> None:
    """Withdraw the person's mail of these kinds that has not left yet (a consent withdrawn:
    it must not arrive hours later, after an outage). A row being sent is past recalling."""
    session.execute(delete(OutboxMail).where(OutboxMail.user_id == user_id, OutboxMail.kind.in_(kinds),
                                             OutboxMail.status == MailStatus.QUEUED))


# --- send ----------------------------------------------------------------------------

@dataclass
class Tally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    purged: int = 0

    def describe(self) -> str:
        return (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.interrupted} interrupted, {self.purged} old rows purged")


def send_queued(session: Session, settings: mail.MailSettings, retry: RetryPolicy,
                now: datetime | None = None) -> Tally:
    """Send every due message once (in batches), commit by commit; what happened."""
    now = now or clock.now()
    tally = Tally(interrupted=_fail_interrupted(session, now))
    session.commit()
    # One SMTP connection for the run, reopened as needed (mail.Courier), rather than one per message.
    with mail.Courier(settings) as courier:
        while claimed := _claim(session, now, retry.batch_size):
            session.commit()  # the claim is durable before anything leaves
            for row_id in claimed:
                _send_one(session, settings, retry, row_id, now, tally, courier)
    tally.purged = purge(session, now - retry.keep_sent)
    session.commit()
    return tally


def _claim(session: Session, now: datetime, limit: int) -> list[int]:
    # claimed_at is the claim's own time, not the run's start: a long run's
    # later batches must not look stuck to the next run (STUCK_AFTER).
    due = list(session.scalars(
        select(OutboxMail.id).where(OutboxMail.status == MailStatus.QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)))
    if not due:
        return []
    # The status in the WHERE clause is what makes the claim exclusive: a
    # second sender's UPDATE waits for this one's commit, then matches nothing.
    claimed = session.scalars(
        update(OutboxMail).where(OutboxMail.id.in_(due), OutboxMail.status == MailStatus.QUEUED)
        .values(status=MailStatus.SENDING, claimed_at=max(now, clock.now())).returning(OutboxMail.id)
        .execution_options(synchronize_session=False))
    return sorted(claimed)


def _send_one(session: Session, settings: mail.MailSettings, retry: RetryPolicy, row_id: int,
              now: datetime, tally: Tally, courier: mail.Courier | None = None) -> None:
    """``courier``: the run's connection; without one, the message gets its own (mail.deliver)."""
    row = session.get(OutboxMail, row_id, populate_existing=True)
    if row is None or row.message is None:  # erased since the claim
        session.rollback()
        return
    raw, recipient = row.message, row.recipient
    session.rollback()  # no transaction held open while the mail server answers
    try:
        if courier is None:
            mail.deliver(settings, raw)
        else:
            courier.deliver(raw)
    except mail.DeliveryError as error:
        # No address in the log: a log line would outlive an erasure.
        log.warning("mail %s not sent (%s)", row_id, error.kind)
        # The run's time when it is later (a run by hand "at" a moment to come, in tests).
        _record_failure(session, retry, row_id, error, max(now, clock.now()), tally)
    else:
        if not _record_sent(session, row_id, max(now, clock.now())):
            # Erased while it was being sent: what reached instance/outbox/ goes too.
            mail.remove_outbox_mail(settings.outbox, recipient)
        tally.sent += 1
    session.commit()


def _record_sent(session: Session, row_id: int, now: datetime) -> bool:
    row = session.get(OutboxMail, row_id, populate_existing=True)
    if row is None:
        return False
    row.status, row.sent_at, row.message = MailStatus.SENT, now, None
    row.attempts += 1
    _run_hook(session, row, sent=True)
    return True


def _record_failure(session: Session, retry: RetryPolicy, row_id: int, error: mail.DeliveryError,
                    now: datetime, tally: Tally) -> None:
    row = session.get(OutboxMail, row_id, populate_existing=True)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error.kind[:64]
    if error.retry and row.attempts < retry.max_attempts:
        row.status, row.next_attempt_at = MailStatus.QUEUED, now + retry.delay_after(row.attempts)
        tally.retrying += 1
    else:
        # Never tried again and shown to nobody: its text (a live invitation link, a digest) goes.
        row.status, row.message = MailStatus.FAILED, None
        _run_hook(session, row, sent=False)
        tally.failed += 1


def _run_hook(session: Session, row: OutboxMail, *, sent: bool) -> None:
    hook = OUTCOME_HOOKS.get(row.kind)
    if hook is not None:
        hook(session, row, sent)
    session.flush()


def _fail_interrupted(session: Session, now: datetime) -> int:
    stuck = list(session.scalars(select(OutboxMail).where(
        OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < now - STUCK_AFTER)))
    for row in stuck:
        row.status, row.last_error, row.message = MailStatus.FAILED, INTERRUPTED, None
        _run_hook(session, row, sent=False)
    return len(stuck)


def purge(session: Session, before: datetime) -> int:
    """Delete the sent and failed rows older than ``before``; how many."""
    result = session.execute(delete(OutboxMail).where(
        OutboxMail.status.in_([MailStatus.SENT, MailStatus.FAILED]), OutboxMail.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


# --- what admins see ---------------------------------------------------------------

def counts(session: Session) -> dict[MailStatus, int]:
    found = dict(session.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all())
    return {status: int(found.get(status, 0)) for status in MailStatus}


def recent(session: Session, limit: int = 50) -> list[OutboxMail]:
    """The mail not sent yet or failed first (newest first), then the latest sent."""
    waiting = list(session.scalars(
        select(OutboxMail).where(OutboxMail.status != MailStatus.SENT)
        .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()).limit(limit)))
    sent = list(session.scalars(
        select(OutboxMail).where(OutboxMail.status == MailStatus.SENT)
        .order_by(OutboxMail.sent_at.desc(), OutboxMail.id.desc()).limit(max(limit - len(waiting), 0))))
    return waiting + sent


def masked(address: str) -> str:
    """``ca…@example.org``: enough for an admin to tell which mail fails and at which domain."""
    local, _at, domain = address.rpartition("@")
    if not local:
        return "…"
    # Half the name at most, two letters at most: "jo@" must not be shown whole.
    return f"{local[:min(2, len(local) // 2)]}…@{domain}"


# --- the person's own data ---------------------------------------------------------

@personal_data.export_section("mail")
def export_mail(session: Session, user: User) -> list[dict]:
    """The e-mails to the person that the outbox still lists: what they were and what became of them."""
    rows = session.scalars(select(OutboxMail).where(
        or_(OutboxMail.user_id == user.id, OutboxMail.recipient == user.email.casefold())).order_by(OutboxMail.id))
    return [{"kind": row.kind, "status": row.status.value, "queued_at": row.created_at.isoformat(),
             "sent_at": row.sent_at.isoformat() if row.sent_at else None, "attempts": row.attempts}
            for row in rows]


@personal_data.erasure_step
def erase_mail(session: Session, user_id: int) -> None:
    """Every row to the person, by account or by address (an invitation predates the account)."""
    user = session.get(User, user_id)
    mine = OutboxMail.user_id == user_id
    condition = or_(mine, OutboxMail.recipient == user.email.casefold()) if user else mine
    session.execute(delete(OutboxMail).where(condition))
