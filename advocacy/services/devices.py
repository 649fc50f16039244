"""A short, non-identifying name for the browser a session was started in.

The person's list of signed-in devices needs something to tell "my phone"
from "the office computer": the browser family and the system, read from
the User-Agent at sign-in ("Firefox · Android"). Nothing more is kept: no
version, no model, no address (DESIGN §2.4), so the label is shared by
millions of devices and says nothing about which one.
"""

from __future__ import annotations

# Checked in order: many browsers name others in their User-Agent (Edge says
# "Chrome" and "Safari", Chrome says "Safari"), so the most specific comes first.
BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]
SEPARATOR = " · "
MAX_LENGTH = 60  # the column's size


def _first(user_agent: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def device_label(user_agent: str | None) -> str:
    """"Firefox · Android", "Safari · iOS", or "" when the User-Agent names nothing we know."""
    user_agent = user_agent or ""
    parts = [part for part in (_first(user_agent, BROWSERS), _first(user_agent, SYSTEMS)) if part]
    return SEPARATOR.join(parts)[:MAX_LENGTH]
