"""The program calendar, its .ics export and personal subscription links.

Calendar apps fetch a subscription without the login cookie, so the feed is
reached by a personal link. The events are not personal, but they may carry
meeting links meant for the network only, so the feed is not public: each
person gets a random token (only its SHA-256 is stored, like invitations),
can replace it, which kills the old link, or revoke it. Deactivated accounts'
links stop working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import CalendarEvent, CalendarToken, User, utcnow
from .errors import ServiceError

# Past events stay in the feed for a while so a calendar keeps recent history.
PAST_DAYS_IN_FEED = 90


@dataclass(frozen=True)
class EventDraft:
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime | None
    location: str


class CalendarError(ServiceError):
    area = "calendar"


def _check(draft: EventDraft) -> None:
    if draft.ends_at is not None and draft.ends_at < draft.starts_at:
        raise CalendarError("ends_before_start")


def create_event(session: Session, draft: EventDraft) -> CalendarEvent:
    _check(draft)
    event = CalendarEvent(**_fields(draft))
    session.add(event)
    session.flush()
    return event


def update_event(event: CalendarEvent, draft: EventDraft) -> None:
    _check(draft)
    for name, value in _fields(draft).items():
        setattr(event, name, value)


def _fields(draft: EventDraft) -> dict:
    return {"title": draft.title.strip(), "description": draft.description.strip(),
            "starts_at": draft.starts_at, "ends_at": draft.ends_at, "location": draft.location.strip()}


def upcoming(session: Session, now: datetime | None = None) -> list[CalendarEvent]:
    now = now or utcnow()
    return list(session.scalars(
        select(CalendarEvent).where(CalendarEvent.starts_at >= now - timedelta(hours=12))
        .order_by(CalendarEvent.starts_at)
    ))


def past(session: Session, now: datetime | None = None, limit: int = 20) -> list[CalendarEvent]:
    now = now or utcnow()
    return list(session.scalars(
        select(CalendarEvent).where(CalendarEvent.starts_at < now - timedelta(hours=12))
        .order_by(CalendarEvent.starts_at.desc()).limit(limit)
    ))


# --- .ics ---------------------------------------------------------------------

def to_ics(events: list[CalendarEvent], *, program: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{program}//Relais//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", program)
    for item in events:
        event = Event()
        # A stable UID lets calendar apps update an event instead of duplicating it.
        event.add("uid", f"event-{item.id}@{host}")
        event.add("dtstamp", item.updated_at)
        event.add("last-modified", item.updated_at)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at or item.starts_at + timedelta(hours=1))
        event.add("summary", item.title)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
            if item.location.startswith(("https://", "http://")):
                event.add("url", item.location)
        calendar.add_component(event)
    return calendar.to_ical()


def feed_events(session: Session, now: datetime | None = None) -> list[CalendarEvent]:
    now = now or utcnow()
    return list(session.scalars(
        select(CalendarEvent).where(CalendarEvent.starts_at >= now - timedelta(days=PAST_DAYS_IN_FEED))
        .order_by(CalendarEvent.starts_at)
    ))


# --- subscription tokens -------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_token(session: Session, user: User) -> bool:
    return session.scalar(select(CalendarToken.id).where(CalendarToken.user_id == user.id)) is not None


def new_token(session: Session, user: User) -> str:
    """A fresh link for this person; any previous one stops working. Shown once."""
    revoke_token(session, user)
    token = secrets.token_urlsafe(32)
    session.add(CalendarToken(user_id=user.id, token_hash=_hash(token)))
    session.flush()
    return token


def revoke_token(session: Session, user: User) -> None:
    session.execute(delete(CalendarToken).where(CalendarToken.user_id == user.id))


def user_for_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = session.scalar(
        select(User).join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token_hash == _hash(token))
    )
    return user if user is not None and user.active else None
