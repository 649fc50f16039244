"""The weekly digest: when it goes out, to whom, what it holds, and the unsubscribe token.

- **When.** Admins choose a weekday and an hour in the program's TIMEZONE
  (``DigestSchedule``, Monday 09:00 until they do). A run before this week's
  slot does nothing; after it, it serves whoever has not had this ISO week's
  digest yet, so a job that runs every few minutes catches up after a pause.
- **To whom.** ``ambassadors.digest_recipients``: the digest consent, standing
  membership, a mandate in force, not paused.
- **What.** The week's highlights and up to 5 posts of the week that fit the
  person's needs or topics, ranked by the personal feed's score, without what
  they dismissed or shared. Nothing new: no e-mail. The job ranks a batch
  of people at once (``contents_for_batch``: a few statements per batch,
  the score in Python); the preview ranks one person in SQL
  (``content_for``); tests/test_digest_batch.py holds the two to one order.
- **At most once.** ``claim`` inserts (person, week) into ``digest_deliveries``
  under a unique key, in the commit that queues the e-mail in the mail outbox;
  the outbox's outcome hook marks the row SENT or FAILED.
- **Unsubscribe.** A signed token (no expiry: an old digest's link must still
  work) names the person and their account's creation time, so a token never
  reaches a later account that happens to get the same id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from ..db import insert_for
from ..models import (
    ConsentChannel,
    DeliveryStatus,
    DigestDelivery,
    DigestSchedule,
    MailKind,
    OutboxMail,
    Purpose,
    User,
    utcnow,
)
from ..models.content import Content
from ..models.digest import DEFAULT_DIGEST_HOUR, DEFAULT_DIGEST_WEEKDAY
from . import ambassadors, clock, consent, mail_outbox, personal_data, personal_feed
from .contents import visible_to_ambassadors
from .errors import ServiceError

MAX_POSTS = 5
# People read and committed at a time by the digest job: memory stays flat whatever their number.
RECIPIENT_BATCH = 200
WEEK = timedelta(days=7)
SCHEDULE_ID = 1
UNSUBSCRIBE_SALT = "relais.digest.unsubscribe"


class ScheduleError(ServiceError):
    area = "digest"


# --- when -------------------------------------------------------------------------

def schedule(session: Session) -> DigestSchedule:
    """The admins' slot, or the default one (not stored until someone changes it)."""
    row = session.get(DigestSchedule, SCHEDULE_ID)
    return row or DigestSchedule(id=SCHEDULE_ID, weekday=DEFAULT_DIGEST_WEEKDAY, hour=DEFAULT_DIGEST_HOUR)


def set_schedule(session: Session, weekday: int, hour: int) -> DigestSchedule:
    if not 0 <= weekday <= 6 or not 0 <= hour <= 23:
        raise ScheduleError("out_of_range")
    row = session.get(DigestSchedule, SCHEDULE_ID)
    if row is None:
        row = DigestSchedule(id=SCHEDULE_ID)
        session.add(row)
    row.weekday, row.hour = weekday, hour
    session.flush()
    return row


@dataclass(frozen=True)
class Week:
    start: date  # the Monday of the ISO week, in the program's zone
    slot: datetime  # this week's sending time, in UTC

    @property
    def since(self) -> datetime:
        """What is "of the week": published after the previous slot and up to this one.

        Weeks so partition time: a post published just after the slot (or
        while the scheduler was down) goes into next week's digest, never
        into two.
        """
        return self.slot - WEEK


def week_of(now: datetime, zone_name: str, slot: DigestSchedule) -> Week:
    """The program's week (Monday to Sunday in its zone) that ``now`` falls in."""
    today = clock.program_day(now, zone_name)
    monday = today - timedelta(days=today.weekday())
    local_slot = datetime.combine(monday + timedelta(days=slot.weekday), time(slot.hour))
    return Week(monday, clock.to_utc(local_slot, zone_name))


# --- what ---------------------------------------------------------------------------

@dataclass
class DigestContent:
    highlights: list[Content]
    posts: list[Content]

    @property
    def size(self) -> int:
        return len(self.highlights) + len(self.posts)


def content_for(session: Session, user_id: int, now: datetime, week: Week, *,
                fitting_only: bool = True, highlights_at_most: int | None = None) -> DigestContent:
    """The week's highlights and the best-fitting new posts, as the personal feed ranks them.

    One query: the week's highlights and fitting posts in the feed's order,
    as many rows as the week has highlights (``highlights_at_most``, counted
    once per run by the caller, or here) plus MAX_POSTS.
    ``fitting_only=False`` is the staff preview's sample: staff choose no needs
    or topics, so the week's newest posts stand in for "posts that fit".
    """
    if highlights_at_most is None:
        highlights_at_most = week_highlight_count(session, now, week)
    return _split(personal_feed.published_between(session, user_id, now, week.since, week.slot,
                                                  fitting_only=fitting_only, limit=highlights_at_most + MAX_POSTS))


def contents_for_batch(session: Session, user_ids: list[int], now: datetime, week: Week, *,
                       highlights_at_most: int) -> dict[int, DigestContent]:
    """``content_for`` (fitting posts) for a batch of people at once: the same contents in the same order,
    in a few statements for the whole batch rather than one ranking query per person."""
    ranked = personal_feed.published_between_many(session, user_ids, now, week.since, week.slot,
                                                   fitting_only=True, limit=highlights_at_most + MAX_POSTS)
    return {user_id: _split(contents) for user_id, contents in ranked.items()}


def _split(ranked: list[Content]) -> DigestContent:
    """The feed's order, highlights first: the highlights, then at most MAX_POSTS posts."""
    return DigestContent([c for c in ranked if c.highlighted], [c for c in ranked if not c.highlighted][:MAX_POSTS])


def week_highlight_count(session: Session, now: datetime, week: Week) -> int:
    """How many highlights the week has for anyone: at most that many in one person's digest."""
    return session.scalar(select(func.count()).select_from(Content).where(
        Content.highlighted.is_(True), visible_to_ambassadors(now),
        Content.publish_at > week.since, Content.publish_at <= week.slot)) or 0


def upcoming_week(session: Session, now: datetime, zone_name: str) -> Week:
    """The week whose digest goes out next: this one before its slot, else the next one.

    Previews show that digest as it stands now (what was published since the last slot).
    """
    slot = schedule(session)
    week = week_of(now, zone_name, slot)
    return week if now < week.slot else week_of(now + WEEK, zone_name, slot)


def why_not_a_recipient(session: Session, user: User, today: date) -> str | None:
    """None if the person gets the digest; else why not: ``no_consent`` or ``not_active``
    (membership left, mandate over, or paused). For previews: nobody else's digest is shown."""
    if not consent.has_consent(session, user.id, Purpose.DIGEST):
        return "no_consent"
    if user.id not in {u.id for u in ambassadors.digest_recipients(session, today)}:
        return "not_active"
    return None


def due_week(session: Session, now: datetime, zone_name: str) -> Week | None:
    """The week whose digest is due now; None before this week's slot."""
    week = week_of(now, zone_name, schedule(session))
    return week if now >= week.slot else None


def recipient_batches(session: Session, week: Week, today: date,
                      size: int = RECIPIENT_BATCH) -> Iterator[list[User]]:
    """Who is still due ``week``'s digest, ``size`` people at a time (by id, read as the caller goes).

    ``today`` is the program's day, as for the lapsed page: a mandate ending
    today is still in force. The caller commits between batches; someone
    served in the meantime (by another run) is left out of the next ones.
    """
    served = exists().where(DigestDelivery.user_id == User.id, DigestDelivery.week_start == week.start)
    after = 0
    while True:
        batch = list(session.scalars(ambassadors.digest_recipients_query(session, today)
                                     .where(User.id > after, ~served).order_by(User.id).limit(size)))
        if not batch:
            return
        yield batch
        after = batch[-1].id


# --- at most once -------------------------------------------------------------------

def claim(session: Session, model, values: dict) -> bool:
    """Insert a delivery row unless its key exists; True if this unit of work got it.

    ON CONFLICT DO NOTHING: a concurrent claim waits for the first one to
    commit (PostgreSQL) or for the write lock (SQLite), then finds the key and
    inserts nothing, so exactly one runner sends.
    """
    table = model.__table__
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    statement = (
        insert_for(session)(table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None


def claim_deliveries(session: Session, week: Week, item_counts: dict[int, int], now: datetime) -> set[int]:
    """Claim this week's digest for each person (user id: items in it) at once; those this run got.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING for a batch, with the same
    guarantee as ``claim``: a person another run claimed first is not returned.
    """
    if not item_counts:
        return set()
    table = DigestDelivery.__table__
    statement = insert_for(session)(table).values([
        {"user_id": user_id, "week_start": week.start, "status": DeliveryStatus.CLAIMED, "claimed_at": now,
         "item_count": count} for user_id, count in item_counts.items()]).on_conflict_do_nothing()
    return set(session.scalars(statement.returning(table.c.user_id)))


def record_outcome(session: Session, row, sent: bool, now: datetime) -> None:
    """Once the outbox has sent the e-mail (SENT), or given up on it (FAILED)."""
    row.status = DeliveryStatus.SENT if sent else DeliveryStatus.FAILED
    row.sent_at = now if sent else None
    session.flush()


def outcome_recorder(model) -> Callable[[Session, OutboxMail, bool], None]:
    """An outbox outcome hook marking ``model``'s row (the person, the date in ``reference``)."""
    def record(session: Session, mail: OutboxMail, sent: bool) -> None:
        if mail.user_id is None or mail.reference is None:
            return
        row = session.get(model, (mail.user_id, date.fromisoformat(mail.reference)))
        if row is not None:
            record_outcome(session, row, sent, mail.sent_at or utcnow())
    return record


mail_outbox.on_outcome(MailKind.DIGEST)(outcome_recorder(DigestDelivery))


# --- unsubscribe --------------------------------------------------------------------

def _serializer(secret_key: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=salt)


def _created(user: User) -> int:
    # Microseconds: an account created right after an erased one (same id on
    # SQLite) still differs.
    return round(user.created_at.timestamp() * 1_000_000)


def unsubscribe_token(secret_key: str, user: User, salt: str = UNSUBSCRIBE_SALT) -> str:
    """The token of an unsubscribe link; ``salt`` tells apart what it unsubscribes from (the digest by
    default; the notifications' e-mail has its own), so one list's link never stops another."""
    return _serializer(secret_key, salt).dumps([user.id, _created(user)])


def user_of_token(session: Session, secret_key: str, token: str, salt: str = UNSUBSCRIBE_SALT) -> User | None:
    """The person a genuine token names; None for a forged, altered or orphaned one."""
    try:
        user_id, created = _serializer(secret_key, salt).loads(token)
        user_id, created = int(user_id), int(created)
    except (BadSignature, TypeError, ValueError):
        return None
    user = session.get(User, user_id)
    if user is None or _created(user) != created:
        return None
    return user


def unsubscribe(session: Session, user: User, now: datetime | None = None) -> bool:
    """Withdraw the digest consent through the e-mail link; False if it was not given."""
    record = consent.withdraw(session, user.id, Purpose.DIGEST, channel=ConsentChannel.EMAIL,
                              now=now or utcnow())
    return record is not None


@consent.on_withdrawal(Purpose.DIGEST)
@consent.on_withdrawal(Purpose.MEMBERSHIP)
def _drop_queued_digest(session: Session, user_id: int) -> None:
    """Unsubscribing or leaving stops the digest at once, one still waiting in the outbox too."""
    mail_outbox.drop_queued(session, user_id, (MailKind.DIGEST,))


# --- the person's own data ---------------------------------------------------------

@personal_data.erasure_step
def erase_deliveries(session: Session, user_id: int) -> None:
    session.execute(delete(DigestDelivery).where(DigestDelivery.user_id == user_id))


@personal_data.export_section("digest_deliveries")
def export_deliveries(session: Session, user: User) -> list[dict]:
    rows = session.scalars(select(DigestDelivery).where(DigestDelivery.user_id == user.id)
                           .order_by(DigestDelivery.week_start))
    return [{"week_start": r.week_start.isoformat(), "status": r.status.value, "item_count": r.item_count,
             "claimed_at": r.claimed_at.isoformat(), "sent_at": r.sent_at.isoformat() if r.sent_at else None}
            for r in rows]
