"""The one base of every refusal a service raises on purpose.

A service says *what* went wrong, never how to word it: it raises a
subclass of ServiceError with a stable ``code`` and the ``params`` its
message needs. The web layer turns
it into a sentence in the reader's language (``advocacy/messages.py``), the
CLI into its own words. ``content_feeds`` follows the same pattern with its
FeedError, kept apart because that library knows nothing of the app.

``area`` names the group of codes a class belongs to (usually its service
module), so two services can use the same code for different things.
``field``, when set, is the input the refusal is about, named as the page's
form names it, so the page can show the message beside that input.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """Never raised itself: each service has its subclass, which sets ``area``."""

    area: ClassVar[str]

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        # str(error) is the code: logs and pytest.raises(match=...) read it.
        super().__init__(code)
        self.code = code
        self.field = field
        self.params: dict[str, Any] = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, params={self.params!r})"
