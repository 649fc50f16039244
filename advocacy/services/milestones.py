"""Collective milestones on the ambassador's home page: what the network did this month.

Only totals of the whole network, never a figure about one person. They
are drawn from what people did, so they are shown only once enough people
(``anonymity.enough``: at least k) have shares under their name this month:
with fewer, an ambassador who knows their own count could subtract it and
learn what one or two others did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ShareEvent
from . import anonymity, clock
from .insights import DateRange, network_days


@dataclass
class Milestones:
    month: date  # the first day of the month (UTC)
    shares: int
    clicks: int


def this_month(session: Session, today: date, k: int) -> Milestones | None:
    """The month so far, or None while fewer than k people have attributed shares in it."""
    month = today.replace(day=1)
    sharers = session.scalar(
        select(func.count(func.distinct(ShareEvent.user_id)))
        .where(ShareEvent.day.between(month, today), ShareEvent.user_id.is_not(None)))
    if not anonymity.enough(sharers or 0, k):
        return None
    cells = network_days(session, DateRange(month, today), use_rollups=True)
    return Milestones(month, sum(c.shares for c in cells.values()), sum(c.clicks for c in cells.values()))


class SharedFigures:
    """``this_month`` computed once per ``seconds`` and reused for every visitor of this process.

    The figures are the network's, the same for everyone, and a minute late
    changes nothing; computing them per visitor summed the month's shares and
    today's clicks on every home view. Keyed by database, day and k, so a new
    UTC day or another database never reads an old figure.
    """

    def __init__(self, seconds: float) -> None:
        self.ttl = timedelta(seconds=seconds)
        self._cached: tuple[tuple, datetime, Milestones | None] | None = None

    def this_month(self, session: Session, now: datetime, k: int) -> Milestones | None:
        today = clock.utc_day(now)
        key = (str(session.get_bind().engine.url), today, k)
        cached = self._cached
        if cached is not None and cached[0] == key and now - cached[1] < self.ttl:
            return cached[2]
        figures = this_month(session, today, k)
        self._cached = (key, now, figures)
        return figures
