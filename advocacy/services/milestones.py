"""Collective milestones on the ambassador's home page: what the network did this month.

Only totals of the whole network, never a figure about one person. They
are drawn from what people did, so they are shown only once enough people
(``anonymity.enough``: at least k) have shares under their name this month:
with fewer, an ambassador who knows their own count could subtract it and
learn what one or two others did.

Summing the month takes tens of milliseconds over millions of click-day
rows, so no request does it: the scheduler's ``shared-figures`` job
(``jobs.compute_shared_figures``, at start and every few minutes, under the
lease) stores the month in one row of ``shared_figures``, and the page reads
that row. Until the job's first run, or in the first minutes of a month
before it counts the new one, there is no row for the month and the page
shows no milestones, as it does below k: never last month's figures under
this month's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import insert_for
from ..models import SharedFigure, ShareEvent
from . import anonymity, clock
from .insights import DateRange, network_days

FIGURE_NAME = "milestones"


@dataclass
class Milestones:
    month: date  # the first day of the month (UTC)
    shares: int
    clicks: int


@dataclass(frozen=True)
class MonthCount:
    """The month as counted by the job; ``sharers`` decides, at display, whether it may be shown."""

    month: date
    sharers: int
    shares: int
    clicks: int

    def shown(self, today: date, k: int) -> Milestones | None:
        """The milestones for ``today``'s month, or None if this count is another month's or below k."""
        if self.month != today.replace(day=1) or not anonymity.enough(self.sharers, k):
            return None
        return Milestones(self.month, self.shares, self.clicks)


def count_month(session: Session, today: date) -> MonthCount:
    """Sum the month so far (the expensive part: the scheduled job's, never a request's)."""
    month = today.replace(day=1)
    sharers = session.scalar(
        select(func.count(func.distinct(ShareEvent.user_id)))
        .where(ShareEvent.day.between(month, today), ShareEvent.user_id.is_not(None))) or 0
    cells = network_days(session, DateRange(month, today), use_rollups=True)
    return MonthCount(month, sharers, sum(c.shares for c in cells.values()), sum(c.clicks for c in cells.values()))


def store(session: Session, now: datetime) -> MonthCount:
    """Count the month of ``now`` (UTC) and keep it as the one row pages read. The caller commits."""
    counted = count_month(session, clock.utc_day(now))
    values = {"month": counted.month, "sharers": counted.sharers, "shares": counted.shares,
              "clicks": counted.clicks, "computed_at": now}
    statement = insert_for(session)(SharedFigure).values(name=FIGURE_NAME, **values)
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))
    return counted


_READ = select(SharedFigure.month, SharedFigure.sharers, SharedFigure.shares, SharedFigure.clicks).where(
    SharedFigure.name == FIGURE_NAME)


def stored(session: Session) -> MonthCount | None:
    """The last count the job stored (one row by primary key), or None before its first run."""
    row = session.execute(_READ).first()
    return MonthCount(*row) if row is not None else None


def this_month(session: Session, today: date, k: int) -> Milestones | None:
    """The stored month, if it is ``today``'s and at least k people have attributed shares in it."""
    counted = stored(session)
    return counted.shown(today, k) if counted is not None else None


class SharedFigures:
    """The stored row, read at most once per ``seconds`` by this process and reused for every visitor.

    The job refreshes the row every few minutes, so rereading it on every
    view would only add a statement; the month and k are still checked on
    every view. Keyed by database, so another database never reads an old row.
    """

    def __init__(self, seconds: float) -> None:
        self.ttl = timedelta(seconds=seconds)
        self._kept: tuple[str, datetime, MonthCount | None] | None = None

    def this_month(self, session: Session, now: datetime, k: int) -> Milestones | None:
        database = str(session.get_bind().engine.url)
        kept = self._kept
        if kept is None or kept[0] != database or not timedelta(0) <= now - kept[1] < self.ttl:
            kept = self._kept = (database, now, stored(session))
        counted = kept[2]
        return counted.shown(clock.utc_day(now), k) if counted is not None else None
