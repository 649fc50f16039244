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


# Runs a job elsewhere (another thread, with its own session): given by the web layer.
Elsewhere = Callable[[Callable[[Session], None]], None]


class SharedInsights:
    def __init__(self, seconds: float, elsewhere: Elsewhere | None = None) -> None:
        self.ttl = timedelta(seconds=seconds)
        self.elsewhere = elsewhere
        self._kept: OrderedDict[tuple, tuple[datetime, insights_service.Insights]] = OrderedDict()
        self._derived: OrderedDict[int, tuple[insights_service.Insights, Any]] = OrderedDict()
        self._refreshing: set[tuple] = set()
        self._lock = threading.Lock()  # a threaded server shares the process's cache too

    def insights(self, session: Session, period: insights_service.DateRange, k: int, language: str, *,
                 now: datetime, today: date, other_label: str, no_department_label: str,
                 ) -> insights_service.Insights:
        """``insights.insights`` for these arguments, computed at most once per ``seconds`` and roll-up.

        Figures older than ``seconds`` are computed again; with ``elsewhere``, the reader who finds
        them old still gets them while the new ones are computed beside (once), so that no reader
        waits for a computation the process has already done once: a worker serves its requests one
        at a time, and every request queued behind the computation (200-260 ms) would wait too.
        """
        def compute(session: Session) -> insights_service.Insights:
            return insights_service.insights(session, period, k, language, other_label=other_label,
                                             no_department_label=no_department_label)

        if self.ttl <= timedelta(0):
            return compute(session)
        key = (str(session.get_bind().engine.url), insights_rollup.watermark(session), today, period, k,
               language, other_label, no_department_label)
        with self._lock:
            found = self._kept.get(key)
            fresh = found is not None and now - found[0] < self.ttl
            if found is not None:
                self._kept.move_to_end(key)
            start = found is not None and not fresh and self.elsewhere is not None and key not in self._refreshing
            if start:
                self._refreshing.add(key)
        if start:
            assert self.elsewhere is not None
            self.elsewhere(lambda session: self._refresh(key, now, compute, session))
        if found is not None and (fresh or self.elsewhere is not None):
            return found[1]
        figures = compute(session)
        self._keep(key, now, figures)
        return figures

    def _refresh(self, key: tuple, now: datetime, compute: Callable[[Session], insights_service.Insights],
                 session: Session) -> None:
        try:
            self._keep(key, now, compute(session))
        finally:  # failed: the next reader tries again
            with self._lock:
                self._refreshing.discard(key)

    def _keep(self, key: tuple, now: datetime, figures: insights_service.Insights) -> None:
        with self._lock:
            self._kept[key] = (now, figures)
            self._kept.move_to_end(key)
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)

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
