"""The insights figures, computed once per roll-up and filters and reused for a short time by this process.

Every staff member who opens the page with the same range sees the same
figures, and one computation reads hundreds of thousands of roll-up and raw
rows (200-260 ms): under a few concurrent readers the workers queued behind
it (p50 about 1 s at 16 connections). So the figures of a (range, k,
language) are kept for ``seconds`` and shared by every reader of this process.

What is kept is the ``Insights`` the service returns, after the k rule of
``anonymity`` was applied to it: a reader gets exactly what a fresh
computation would have shown a little earlier, never a figure that the rule
would not have published. A new roll-up (the watermark moves) is a new key,
so its figures show at once; shares and clicks of the live days, and late
writes into days already rolled up, show within ``seconds``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from . import insights as insights_service
from . import insights_rollup

# Distinct ranges kept: a curator tries a few, and a range is something a
# visitor types, so the memory it takes must stay bounded.
MAX_KEPT = 32

T = TypeVar("T")


class SharedInsights:
    def __init__(self, seconds: float) -> None:
        self.ttl = timedelta(seconds=seconds)
        self._kept: OrderedDict[tuple, tuple[datetime, insights_service.Insights]] = OrderedDict()
        self._derived: OrderedDict[int, tuple[insights_service.Insights, Any]] = OrderedDict()
        self._lock = threading.Lock()  # a threaded server shares the process's cache too

    def insights(self, session: Session, period: insights_service.DateRange, k: int, language: str, *,
                 now: datetime, today: date, other_label: str, no_department_label: str,
                 ) -> insights_service.Insights:
        """``insights.insights`` for these arguments, computed at most once per ``seconds`` and roll-up."""
        if self.ttl <= timedelta(0):
            return insights_service.insights(session, period, k, language, other_label=other_label,
                                             no_department_label=no_department_label)
        key = (str(session.get_bind().engine.url), insights_rollup.watermark(session), today, period, k,
               language, other_label, no_department_label)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and now - found[0] < self.ttl:
                self._kept.move_to_end(key)
                return found[1]
        figures = insights_service.insights(session, period, k, language, other_label=other_label,
                                            no_department_label=no_department_label)
        with self._lock:
            self._kept[key] = (now, figures)
            self._kept.move_to_end(key)
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
        return figures

    def derived(self, figures: insights_service.Insights, make: Callable[[insights_service.Insights], T]) -> T:
        """``make(figures)`` (the page's charts) once per kept figures, whose key holds the language:
        made again only when the figures are."""
        with self._lock:
            found = self._derived.get(id(figures))
        if found is not None and found[0] is figures:  # the same object, not one that reused its id
            return found[1]
        value = make(figures)
        if self.ttl > timedelta(0):
            with self._lock:
                self._derived[id(figures)] = (figures, value)
                while len(self._derived) > MAX_KEPT:
                    self._derived.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._kept)
