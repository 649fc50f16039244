"""The program's wall clock: what curators type and read, versus UTC storage.

Times are stored in UTC. Forms (``<input type="datetime-local">``, dates)
carry naive local times, read in the configured ``TIMEZONE``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def to_utc(local: datetime | None, zone: str) -> datetime | None:
    """A naive wall-clock time in ``zone`` → aware UTC. In a DST gap or fold,
    zoneinfo picks the earlier reading (fold=0), which is good enough for
    publishing times."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(moment: datetime | None, zone: str) -> datetime | None:
    """Aware UTC → naive wall-clock time in ``zone`` (to fill a form)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)


def day_start(day: date | None, zone: str) -> datetime | None:
    """Midnight at the start of ``day`` in ``zone``, in UTC."""
    return None if day is None else to_utc(datetime.combine(day, time()), zone)


def day_end(day: date | None, zone: str) -> datetime | None:
    """Midnight at the end of ``day`` in ``zone`` (exclusive bound), in UTC."""
    return None if day is None else day_start(day + timedelta(days=1), zone)
