"""The clock: the current instant, the program's day, the UTC day of an event.

"Today" has two meanings in Relais, and every caller says which one it means:

- **The program's day** (``program_today``, ``program_day``): the date in the
  program's ``TIMEZONE``, what a person there calls "today". Mandates,
  pauses, renewals, the digest's week, survey opening and closing days and
  feedback days are program days.
- **The UTC day of an event** (``utc_day``, ``utc_today``): the day under
  which an event is counted (a share, a click, a survey response) and the
  days of the insights and milestones built on those counts.

The server's own zone never enters: nothing here (or anywhere else) asks for
``date.today()``. Times are stored in UTC; forms (``<input
type="datetime-local">``, dates) carry naive wall-clock times in the
program's zone, converted by ``to_utc``/``to_local``.

Services take ``now``/``today`` as arguments; the web layer, jobs and CLI
read them here (``advocacy.program_clock`` adds the configured zone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import overload
from zoneinfo import ZoneInfo

from ..models.base import utcnow

# The current instant, aware, in UTC: the same function as the models'
# column defaults (models may not import services, so it is defined there).
now = utcnow


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (built once per name); ZoneInfoNotFoundError if unknown."""
    return ZoneInfo(name)


def program_day(moment: datetime, zone_name: str) -> date:
    """The day ``moment`` falls on in the program's zone."""
    return _aware(moment).astimezone(zone(zone_name)).date()


def program_today(zone_name: str) -> date:
    """What day it is for the program (in its zone), whatever the server's zone."""
    return program_day(now(), zone_name)


def utc_day(moment: datetime) -> date:
    """The UTC day of an instant: the day events are counted under."""
    return _aware(moment).astimezone(UTC).date()


def utc_today() -> date:
    return utc_day(now())


def _aware(moment: datetime) -> datetime:
    # A naive datetime would be read in the server's zone by astimezone():
    # exactly the ambiguity this module exists to remove.
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed, got a naive one")
    return moment


@overload
def to_utc(local: datetime, zone_name: str) -> datetime: ...
@overload
def to_utc(local: None, zone_name: str) -> None: ...
def to_utc(local: datetime | None, zone_name: str) -> datetime | None:
    """A naive wall-clock time in the zone → aware UTC. In a DST gap or fold,
    zoneinfo picks the earlier reading (fold=0), which is good enough for
    publishing times."""
    if local is None:
        return None
    return local.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """Aware UTC → naive wall-clock time in the zone, to the minute (to fill a form)."""
    if moment is None:
        return None
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None, second=0, microsecond=0)


@overload
def day_start(day: date, zone_name: str) -> datetime: ...
@overload
def day_start(day: None, zone_name: str) -> None: ...
def day_start(day: date | None, zone_name: str) -> datetime | None:
    """Midnight at the start of ``day`` in the zone, in UTC."""
    return None if day is None else to_utc(datetime.combine(day, time()), zone_name)


@overload
def day_end(day: date, zone_name: str) -> datetime: ...
@overload
def day_end(day: None, zone_name: str) -> None: ...
def day_end(day: date | None, zone_name: str) -> datetime | None:
    """Midnight at the end of ``day`` in the zone (exclusive bound), in UTC."""
    return None if day is None else day_start(day + timedelta(days=1), zone_name)
