"""The clock as the app sees it: ``services.clock`` with the configured TIMEZONE.

For views, jobs and commands (anything with an app context). Services never
import this: they are handed ``now``/``today`` (or the zone's name).
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from .services import clock


def program_zone() -> str:
    """The name of the program's zone (``TIMEZONE``), checked at start."""
    return current_app.config["TIMEZONE"]


def program_today() -> date:
    """What day it is for the program: mandates, pauses, surveys, the digest's week."""
    return clock.program_today(program_zone())
