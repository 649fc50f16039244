"""Sharing: the networks' share pages, and "I shared it".

The tracked links the pages carry are made with the content (see
tracked_links): one per (content, network), the same for everyone, so a
link never identifies who shared it. A share event records the content, the
network and the day, and the person only with their share-attribution
consent; withdrawing that consent (or erasing the account) detaches the
shares already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows
from ..models import Content, Purpose, ShareEvent, User
from . import clock, consent, insights_rollup, personal_data, personal_feed
from .contents import visible_to_ambassadors
from .errors import ServiceError
from .networks import LINK_NETWORKS


class SharingError(ServiceError):
    area = "sharing"


# How long "I shared it" can be taken back. An anonymous share can be undone
# only from the browser that made it (its session cookie holds the share's id
# and this deadline); an attributed one by its person from anywhere (see
# within_undo_window).
UNDO_WINDOW = timedelta(hours=24)
HISTORY_PAGE_SIZE = 20


def campaign_url(target_url: str, network: str, slug: str, utm: bool = True) -> str:
    """Where a tracked link leads: the content's URL, tagged with the network and campaign."""
    if not utm:
        return target_url
    parts = urlsplit(target_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", network), ("utm_medium", "ambassador"), ("utm_campaign", slug)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def share_page_url(network: str, text: str, link_url: str, *, subject: str = "",
                   mastodon_instance: str | None = None) -> str:
    """The network's own share page with the text and the tracked link filled in."""
    with_link = f"{text.rstrip()} {link_url}".strip()
    if network == "x":
        return f"https://x.com/intent/tweet?{urlencode({'text': text, 'url': link_url}, quote_via=quote)}"
    if network == "bluesky":
        return f"https://bsky.app/intent/compose?{urlencode({'text': with_link}, quote_via=quote)}"
    if network == "mastodon":
        if not mastodon_instance:
            raise SharingError("no_instance")
        return f"https://{mastodon_instance}/share?{urlencode({'text': with_link}, quote_via=quote)}"
    if network == "linkedin":
        # LinkedIn takes no text: the page copies it to the clipboard first.
        return f"https://www.linkedin.com/sharing/share-offsite/?{urlencode({'url': link_url}, quote_via=quote)}"
    if network == "whatsapp":
        return f"https://wa.me/?{urlencode({'text': with_link}, quote_via=quote)}"
    if network == "email":
        body = f"{text.rstrip()}\n\n{link_url}"
        return f"mailto:?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"
    raise SharingError("unknown_network")


# Read by every share panel: built once with bound parameters, not per request.
_SHAREABLE = select(Content).where(Content.id == bindparam("content_id"),
                                   visible_to_ambassadors(bindparam("now", type_=Content.publish_at.type)))


def shareable_content(session: Session, content_id: int, now) -> Content | None:
    """The content if an ambassador may share it now."""
    return session.scalars(_SHAREABLE, {"content_id": content_id, "now": now}).one_or_none()


@dataclass
class RecordedShare:
    event: ShareEvent
    attributed: bool


def record_share(session: Session, user: User, content_id: int, network: str, now) -> RecordedShare:
    """'I shared it': counted always, linked to the person only with their consent."""
    if network not in LINK_NETWORKS:
        raise SharingError("unknown_network")
    if shareable_content(session, content_id, now) is None:
        raise SharingError("not_shareable")
    attributed = consent.has_consent(session, user.id, Purpose.SHARE_ATTRIBUTION)
    event = ShareEvent(content_id=content_id, network=network, day=clock.utc_day(now),
                       user_id=user.id if attributed else None)
    session.add(event)
    session.flush()
    # Normally today, never rolled up yet; a day already closed is followed.
    insights_rollup.adjust_share(session, content_id, network, event.day, +1)
    return RecordedShare(event, attributed)


def undo_window_opens(now: datetime) -> date:
    """The first UTC day whose attributed shares may still be undone.

    A share event keeps its day and no finer time (by design: models/sharing.py),
    so a share of that day may be up to 48 hours old; the rule errs toward the
    person, whose 24 hours are never cut short.
    """
    return clock.utc_day(now - UNDO_WINDOW)


def within_undo_window(event: ShareEvent, now: datetime) -> bool:
    return event.day >= undo_window_opens(now)


def own_share(session: Session, user_id: int, share_id: int) -> ShareEvent | None:
    """The share if it is attributed to this person; None for anyone else's (or an anonymous one)."""
    return session.scalar(select(ShareEvent).where(ShareEvent.id == share_id, ShareEvent.user_id == user_id))


@dataclass
class HistoryEntry:
    share_id: int
    content_id: int
    title: str
    network: str
    day: date
    undoable: bool


@dataclass
class History:
    entries: list[HistoryEntry]
    page: int
    has_next: bool


def _history_rows(session: Session, condition, now: datetime, offset: int, limit: int) -> list[HistoryEntry]:
    opens = undo_window_opens(now)
    rows = session.execute(
        select(ShareEvent.id, ShareEvent.content_id, Content.title, ShareEvent.network, ShareEvent.day)
        .join(Content, Content.id == ShareEvent.content_id).where(condition)
        .order_by(ShareEvent.day.desc(), ShareEvent.id.desc()).offset(offset).limit(limit))
    return [HistoryEntry(share_id, content_id, title, network, day, day >= opens)
            for share_id, content_id, title, network, day in rows]


def share_history(session: Session, user_id: int, now: datetime, number: int = 1,
                  size: int = HISTORY_PAGE_SIZE) -> History:
    """The person's own attributed shares, newest first, one page in one statement."""
    number = max(1, number)
    entries = _history_rows(session, ShareEvent.user_id == user_id, now, (number - 1) * size, size + 1)
    return History(entries[:size], number, len(entries) > size)


def anonymous_shares_among(session: Session, share_ids: list[int], now: datetime) -> list[HistoryEntry]:
    """The anonymous shares among these ids (a browser's own, from its session), each undoable by it.

    The caller passes only ids whose deadline has not passed. Anonymous shares
    keep no history: this list is all there is, and only where they were made.
    """
    if not share_ids:
        return []
    entries = _history_rows(session, ShareEvent.id.in_(share_ids) & ShareEvent.user_id.is_(None), now, 0,
                            len(share_ids))
    for entry in entries:
        entry.undoable = True
    return entries


def undo_share(session: Session, share_id: int) -> bool:
    """Remove a share event. The caller checks it is the person's own and recent."""
    event = session.get(ShareEvent, share_id)
    if event is None:
        return False
    # Counted by the DELETE itself: of two undos sent at once, the second
    # deletes nothing and leaves the totals alone.
    if not changed_rows(session, delete(ShareEvent).where(ShareEvent.id == share_id)):
        return False
    session.expunge(event)
    # The undo window spans midnight: yesterday's share may be rolled up
    # already. Followed there after the delete, as a late write must be.
    insights_rollup.adjust_share(session, event.content_id, event.network, event.day, -1)
    return True


@consent.on_withdrawal(Purpose.SHARE_ATTRIBUTION)
@personal_data.erasure_step
def detach_shares(session: Session, user_id: int) -> None:
    """The shares stay in the totals; the link to the person goes."""
    session.execute(update(ShareEvent).where(ShareEvent.user_id == user_id).values(user_id=None))


@personal_data.export_section("shares")
def export_shares(session: Session, user: User) -> list[dict]:
    rows = session.execute(
        select(ShareEvent.day, ShareEvent.network, Content.title, Content.target_url)
        .join(Content, Content.id == ShareEvent.content_id)
        .where(ShareEvent.user_id == user.id).order_by(ShareEvent.day, ShareEvent.id))
    return [{"day": day.isoformat(), "network": network, "content_title": title, "content_url": url}
            for day, network, title, url in rows]


def _not_shared_by(user_id: int):
    return ~exists().where(ShareEvent.user_id == user_id, ShareEvent.content_id == Content.id)


def _shared_pairs(user_ids, content_ids):
    """``_not_shared_by`` for many people: the (person, content) pairs it hides."""
    return select(ShareEvent.user_id, ShareEvent.content_id).where(
        ShareEvent.user_id.in_(user_ids), ShareEvent.content_id.in_(content_ids))


personal_feed.exclude(_not_shared_by, _shared_pairs)


def my_shares_by_month(session: Session, user_id: int) -> list[tuple[date, str, int]]:
    """The person's own attributed shares: (first day of the month, network, count), newest month first.

    Grouped in Python: one person's shares are few, and month extraction
    differs between SQLite and PostgreSQL.
    """
    rows = session.execute(
        select(ShareEvent.day, ShareEvent.network).where(ShareEvent.user_id == user_id)
    ).all()
    counts: dict[tuple[date, str], int] = {}
    for day, network in rows:
        key = (day.replace(day=1), network)
        counts[key] = counts.get(key, 0) + 1
    return sorted(((month, network, n) for (month, network), n in counts.items()), reverse=True)
