"""Notifications for ambassadors: the events, who gets them, the in-app list, and the person's own data.

- **Consent, per channel.** Two purposes, ``NOTIFY_EMAIL`` and
  ``NOTIFY_IN_APP`` (docs/privacy.md says why two rather than one with
  choices): a row is written for a channel only if the person's consent to
  it stands *when the event happens*. Withdrawing one deletes that
  channel's rows (the e-mail rows not yet sent, or the in-app list);
  leaving the program or erasing the account deletes them all.
- **Events.** My named feedback was answered (only the author named in
  ``feedback_authors``: anonymous feedback has no author row, so it can
  never notify anyone), survey results are published (when the job counts a
  finished survey that reached k answers), a new weekly highlight (when a
  content is saved as one, shown from its publication), and my mandate ends
  soon (in-app only: the renewal notice is already the e-mail for it, so
  that event never adds a second one).
- **Once.** (person, kind, reference, channel) is unique: an event raised
  again (a job run twice, a content saved twice) adds nothing.
- **Reading.** Showing the list writes nothing (a GET never writes, see
  docs/idempotency.md); "Mark as read" is a POST naming the newest row the
  page showed, so a notification that arrived since stays unread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, bindparam, delete, func, literal, select, true, update
from sqlalchemy.orm import Session

from ..db import insert_for
from ..models import (
    Content,
    EmailFrequency,
    FeedbackAuthor,
    FeedbackItem,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationSetting,
    Purpose,
    Survey,
    User,
    UTCDateTime,
)
from . import ambassadors, consent, personal_data
from .chat_webhooks import is_announced_highlight

CHANNEL_PURPOSES = {NotificationChannel.EMAIL: Purpose.NOTIFY_EMAIL,
                    NotificationChannel.IN_APP: Purpose.NOTIFY_IN_APP}
# The renewal notice is this event's e-mail: it never goes into the summary too.
IN_APP_ONLY = frozenset({NotificationKind.MANDATE_ENDING})
LIST_LENGTH = 50


# --- events -------------------------------------------------------------------------

def notify(session: Session, kind: NotificationKind, reference: object, audience: Select | Iterable[int],
           at: datetime) -> None:
    """A notification of this event for each person of ``audience`` (a select of user ids, or ids),
    on each channel they consented to; shown from ``at``. Nothing twice (ON CONFLICT DO NOTHING)."""
    if not isinstance(audience, Select):
        audience = select(User.id).where(User.id.in_(list(audience)))
    table = Notification.__table__
    for channel, purpose in CHANNEL_PURPOSES.items():
        if channel == NotificationChannel.EMAIL and kind in IN_APP_ONLY:
            continue
        people = audience.where(User.id.in_(consent.consenting_user_ids(session, purpose)))
        rows = _rows(people, kind, reference, channel, at)
        session.execute(insert_for(session)(table).from_select(
            ["user_id", "kind", "reference", "channel", "created_at"], rows).on_conflict_do_nothing())


def _rows(people: Select, kind: NotificationKind, reference: object, channel: NotificationChannel,
          at: datetime) -> Select:
    chosen = people.subquery("people")
    # WHERE true: SQLite reads "SELECT ... FROM x ON CONFLICT" as a join's ON without it.
    return select(chosen.c[0], literal(kind.value), literal(str(reference)), literal(channel.value),
                  literal(at, UTCDateTime())).where(true())


def feedback_answered(session: Session, item: FeedbackItem, now: datetime) -> None:
    """The named author of ``item`` hears of the team's decision (one per decision); nobody for anonymous feedback."""
    if item.reply is None:
        return
    authors = select(FeedbackAuthor.user_id.label("id")).where(FeedbackAuthor.item_id == item.id)
    notify(session, NotificationKind.FEEDBACK_ANSWERED, f"{item.id}/{item.status.value}",
           select(User.id).where(User.id.in_(authors)), now)


def survey_results_published(session: Session, survey: Survey, today: date, now: datetime) -> None:
    notify(session, NotificationKind.SURVEY_RESULTS, survey.id, ambassadors.active_member_ids(session, today), now)


def highlight_saved(session: Session, content: Content, now: datetime, *, was_announced: bool = False) -> None:
    """As content is saved: a highlight notifies the members (membership standing, not left: a content's
    save has no program day at hand to tell a lapsed mandate, and a lapsed member sees the list once
    renewed) from its publication; no longer one
    before then (unticked, archived), its waiting notifications go. A highlight already announced notifies
    nobody new once published (fixing a typo in last week's highlight is no news)."""
    waiting = (Notification.kind == NotificationKind.HIGHLIGHT, Notification.reference == str(content.id),
               Notification.created_at > now)
    if not is_announced_highlight(content, now):
        session.execute(delete(Notification).where(*waiting))
        return
    assert content.publish_at is not None
    shown_from = max(content.publish_at, now)
    session.execute(update(Notification).where(*waiting).values(created_at=shown_from))
    if not was_announced or content.publish_at > now:
        notify(session, NotificationKind.HIGHLIGHT, content.id, ambassadors.standing_members(session, User.id),
               shown_from)


def mandate_ending(session: Session, user_id: int, ends_on: date, now: datetime) -> None:
    notify(session, NotificationKind.MANDATE_ENDING, ends_on.isoformat(), [user_id], now)


# --- what the person reads ---------------------------------------------------------

@dataclass
class Entry:
    """One notification, as the list and the e-mail say it."""

    id: int
    kind: NotificationKind
    at: datetime
    read: bool
    title: str | None  # the survey's or the content's title; None when it is gone
    target: tuple[str, dict]  # (endpoint, values) of the page it leads to
    ends_on: date | None = None


def describe(session: Session, rows: list[Notification]) -> list[Entry]:
    """Titles and links for ``rows``, read in one statement per kind present."""
    ids: dict[NotificationKind, set[str]] = {}
    for row in rows:
        ids.setdefault(row.kind, set()).add(row.reference.split("/")[0])
    surveys = _titles(session, Survey, ids.get(NotificationKind.SURVEY_RESULTS))
    contents = _titles(session, Content, ids.get(NotificationKind.HIGHLIGHT))
    entries = []
    for row in rows:
        key = row.reference.split("/")[0]
        read = row.read_at is not None
        if row.kind == NotificationKind.FEEDBACK_ANSWERED:
            entries.append(Entry(row.id, row.kind, row.created_at, read, None, ("feedback.mine", {"item_id": key})))
        elif row.kind == NotificationKind.SURVEY_RESULTS:
            entries.append(Entry(row.id, row.kind, row.created_at, read, surveys.get(int(key)),
                                 ("surveys.index", {})))
        elif row.kind == NotificationKind.HIGHLIGHT:
            entries.append(Entry(row.id, row.kind, row.created_at, read, contents.get(int(key)),
                                 ("sharing.panel", {"content_id": int(key)})))
        else:
            entries.append(Entry(row.id, row.kind, row.created_at, read, None, ("ambassador.profile", {}),
                                 ends_on=date.fromisoformat(key)))
    return entries


def _titles(session: Session, model, keys: set[str] | None) -> dict[int, str]:
    if not keys:
        return {}
    found = session.execute(select(model.id, model.title).where(model.id.in_([int(k) for k in keys]))).all()
    return {row_id: title for row_id, title in found}  # noqa: C416  (a Result is no mapping for dict())


def in_app_list(session: Session, user_id: int, now: datetime, limit: int = LIST_LENGTH) -> list[Notification]:
    """The person's in-app notifications shown by now, newest first."""
    return list(session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.channel == NotificationChannel.IN_APP,
        Notification.created_at <= now).order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)))


def mark_read(session: Session, user_id: int, up_to_id: int, now: datetime) -> int:
    """Mark read the person's shown notifications up to ``up_to_id`` (the newest the page showed); how many.

    Only their own rows: another person's id marks nothing of theirs."""
    result = session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.channel == NotificationChannel.IN_APP,
        Notification.read_at.is_(None), Notification.id <= up_to_id, Notification.created_at <= now)
        .values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def _unread_count():
    return (select(func.count()).select_from(Notification).where(
        Notification.user_id == bindparam("user_id"), Notification.channel == NotificationChannel.IN_APP,
        Notification.read_at.is_(None), Notification.created_at <= bindparam("now", type_=UTCDateTime()))
        .scalar_subquery())


# The consents read on every signed-in ambassador request (auth.own_consents), with the unread count
# beside them: the navigation's count costs no statement of its own. Built once, not per request.
_IN_FORCE_AND_UNREAD = consent.in_force_statement().add_columns(_unread_count().label("unread"))


def consents_and_unread(session: Session, user_id: int, now: datetime) -> tuple[frozenset[Purpose], int]:
    """``consent.in_force`` and the count of unread in-app notifications, in one statement.

    With no consent in force there is no row, and no in-app consent: the count is 0 then."""
    rows = session.execute(_IN_FORCE_AND_UNREAD, {"user_id": user_id, "now": now}).all()
    purposes = frozenset(row[0] for row in rows)
    unread = int(rows[0][1]) if rows and Purpose.NOTIFY_IN_APP in purposes else 0
    return purposes, unread


# --- the e-mail rhythm ---------------------------------------------------------------

def frequency_of(session: Session, user_id: int) -> EmailFrequency:
    row = session.get(NotificationSetting, user_id)
    return row.frequency if row else EmailFrequency.DAILY


def set_frequency(session: Session, user_id: int, frequency: EmailFrequency) -> None:
    session.execute(insert_for(session)(NotificationSetting).values(user_id=user_id, frequency=frequency)
                    .on_conflict_do_update(index_elements=["user_id"], set_={"frequency": frequency}))


# --- consent and leaving -----------------------------------------------------------------

def _delete_channel(session: Session, user_id: int, channel: NotificationChannel) -> None:
    session.execute(delete(Notification).where(Notification.user_id == user_id, Notification.channel == channel))


@consent.on_withdrawal(Purpose.NOTIFY_EMAIL)
def _stop_email(session: Session, user_id: int) -> None:
    """The e-mail rows not yet summarised go: nothing more is sent (queued summaries are in the outbox)."""
    _delete_channel(session, user_id, NotificationChannel.EMAIL)


@consent.on_withdrawal(Purpose.NOTIFY_IN_APP)
def _stop_in_app(session: Session, user_id: int) -> None:
    _delete_channel(session, user_id, NotificationChannel.IN_APP)


@consent.on_withdrawal(Purpose.MEMBERSHIP)
@personal_data.erasure_step
def erase_notifications(session: Session, user_id: int) -> None:
    """Leaving the program, or erasing the account: every notification and the e-mail rhythm go."""
    session.execute(delete(Notification).where(Notification.user_id == user_id))
    session.execute(delete(NotificationSetting).where(NotificationSetting.user_id == user_id))


@personal_data.export_section("notifications")
def export_notifications(session: Session, user: User) -> dict:
    rows = session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    setting = session.get(NotificationSetting, user.id)
    return {
        "email_frequency": (setting.frequency if setting else EmailFrequency.DAILY).value,
        "last_emailed_at": setting.last_emailed_at.isoformat() if setting and setting.last_emailed_at else None,
        "items": [{"kind": r.kind.value, "reference": r.reference, "channel": r.channel.value,
                   "created_at": r.created_at.isoformat(), "read_at": r.read_at.isoformat() if r.read_at else None}
                  for r in rows],
    }
