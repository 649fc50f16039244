"""The notifications' e-mail: one grouped summary per person, no more often than their rhythm allows.

- **Rhythm.** ``daily`` (the default): at most one summary per program day
  (in TIMEZONE); ``weekly``: at most one per 7 program days; ``soon`` ("as
  it happens"): still grouped, at most one per NOTIFICATION_EMAIL_MINUTES.
  ``NotificationSetting.last_emailed_at`` is when the last one was queued.
- **Who.** People with e-mail rows shown by now, whose e-mail consent still
  stands (a new version of its text suspends it until they agree again).
- **At most once.** The e-mail rows are deleted with RETURNING in the
  commit that queues the summary: a second run (or scheduler) deletes
  nothing and sends nothing, and the summary holds exactly what this run
  took. Memory stays flat: people are read a batch at a time, each batch
  committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..db import insert_for
from ..models import EmailFrequency, Notification, NotificationChannel, NotificationSetting, Purpose, User
from . import clock, consent

BATCH = 200
UNSUBSCRIBE_SALT = "relais.notifications.unsubscribe"


def may_send(frequency: EmailFrequency, last: datetime | None, now: datetime, zone_name: str,
             soon_minutes: float) -> bool:
    """Whether a summary may go now, after the last one at ``last``."""
    if last is None:
        return True
    if frequency == EmailFrequency.SOON:
        return now >= last + timedelta(minutes=soon_minutes)
    days = (clock.program_day(now, zone_name) - clock.program_day(last, zone_name)).days
    return days >= (7 if frequency == EmailFrequency.WEEKLY else 1)


def waiting_batches(session: Session, now: datetime, size: int = BATCH) -> Iterator[list[User]]:
    """People with e-mail notifications shown by now and their e-mail consent in force, by id."""
    waiting = select(Notification.user_id).where(Notification.channel == NotificationChannel.EMAIL,
                                                 Notification.created_at <= now)
    after = 0
    while True:
        batch = list(session.scalars(select(User).where(
            User.id.in_(waiting), User.active, User.id > after,
            User.id.in_(consent.consenting_user_ids(session, Purpose.NOTIFY_EMAIL))).order_by(User.id).limit(size)))
        if not batch:
            return
        yield batch
        after = batch[-1].id


def settings_of(session: Session, user_ids: list[int]) -> dict[int, NotificationSetting]:
    return {row.user_id: row for row in session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_(user_ids)))}


def take(session: Session, user_ids: list[int], now: datetime) -> dict[int, list[Notification]]:
    """Delete these people's e-mail rows shown by now; what this unit of work took, per person, oldest first.

    The rows are read, then deleted by id with RETURNING: a row another run deleted first is not returned,
    so it is in no summary of this run."""
    if not user_ids:
        return {}
    rows = {row.id: row for row in session.scalars(select(Notification).where(
        Notification.user_id.in_(user_ids), Notification.channel == NotificationChannel.EMAIL,
        Notification.created_at <= now))}
    taken = set(session.scalars(delete(Notification).where(Notification.id.in_(list(rows)))
                                .returning(Notification.id).execution_options(synchronize_session=False)))
    by_person: dict[int, list[Notification]] = {}
    for row_id in sorted(taken):
        row = rows[row_id]
        by_person.setdefault(row.user_id, []).append(row)
    for items in by_person.values():
        items.sort(key=lambda r: (r.created_at, r.id))
    return by_person


def put_back(session: Session, rows: list[Notification]) -> None:
    """Rows ``take`` deleted whose e-mail could not be prepared: kept for the next run."""
    session.execute(insert(Notification), [
        {"user_id": r.user_id, "kind": r.kind, "reference": r.reference, "channel": r.channel,
         "created_at": r.created_at} for r in rows])


def record_sent(session: Session, user_ids: list[int], now: datetime) -> None:
    """The rate limit's memory: these people's last summary was queued ``now``."""
    if user_ids:
        statement = insert_for(session)(NotificationSetting).values(
            [{"user_id": uid, "frequency": EmailFrequency.DAILY, "last_emailed_at": now} for uid in user_ids])
        session.execute(statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"last_emailed_at": statement.excluded.last_emailed_at}))
