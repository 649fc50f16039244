"""Rendered pieces of pages kept per process, keyed by everything they show.

A piece is rendered once for a key that holds every value it shows (and the
language), so an edit is a new key and shows at once: nothing to invalidate.
What belongs to one request or one person (the CSRF token, the page's own
address) is never rendered into a kept piece: the piece holds a marker,
random per process so that no content can contain it, replaced on the way
out. The number of pieces kept is bounded (least recently used goes first).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from markupsafe import Markup, escape


class Fragments:
    def __init__(self, max_kept: int) -> None:
        self.max_kept = max_kept
        self._kept: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()  # a threaded server shares the process's pieces
        self._prefix = f"\x00{secrets.token_hex(8)}:"

    def marker(self, name: str) -> Markup:
        """What to render in place of the per-request value ``name`` (it is not escaped again)."""
        return Markup(f"{self._prefix}{name}\x00")

    def get(self, key: Hashable, render: Callable[[], str], values: Mapping[str, str]) -> Markup:
        """The piece for ``key`` (``render()`` on a miss), its markers replaced by ``values``, escaped."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
        if found is None:
            found = str(render())
            with self._lock:
                self._kept[key] = found
                while len(self._kept) > self.max_kept:
                    self._kept.popitem(last=False)
        for name, value in values.items():
            found = found.replace(self.marker(name), str(escape(value)))
        return Markup(found)

    def __len__(self) -> int:
        return len(self._kept)
