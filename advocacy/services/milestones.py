"""Collective milestones on the ambassador's home page: what the network did this month.

Only totals of the whole network, never a figure about one person. They
are drawn from what people did, so they are shown only once enough people
(``anonymity.enough``: at least k) have shares under their name this month:
with fewer, an ambassador who knows their own count could subtract it and
learn what one or two others did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ShareEvent
from . import anonymity
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
