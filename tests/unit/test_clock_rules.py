"""One clock: outside ``advocacy/services/clock.py`` no code reads the server's
date or zone, or builds a zone of its own.

The server's zone is whatever the machine happens to use; the program's day
is the one in its TIMEZONE. Reading the first where the second is meant is
what made the digest and the lapsed page disagree around midnight, so the
forms that do it are refused here, in source, for the whole package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "advocacy"
CLOCK = PACKAGE / "services" / "clock.py"

ZONE_MODULES = {"zoneinfo", "pytz", "dateutil", "dateutil.tz", "backports.zoneinfo"}
# Flask-Babel and Babel helpers that build the zone from their own settings.
ZONE_HELPERS = {"to_user_timezone", "to_utc", "get_timezone"}
ZONE_HELPER_MODULES = {"flask_babel", "babel.dates"}
NAIVE_CLOCKS = {"today", "utcnow", "utcfromtimestamp"}


def _is_date_class(node: ast.AST) -> bool:
    """``date``, ``datetime``, ``datetime.date``, ``datetime.datetime``."""
    return ((isinstance(node, ast.Name) and node.id in {"date", "datetime"})
            or (isinstance(node, ast.Attribute) and node.attr in {"date", "datetime"}))


def _is_utc(node: ast.AST) -> bool:
    """``UTC``, ``datetime.UTC``, ``timezone.utc``: an instant, not a wall clock."""
    return ((isinstance(node, ast.Name) and node.id == "UTC")
            or (isinstance(node, ast.Attribute) and node.attr in {"UTC", "utc"}))


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Every place in ``source`` that reads the server's clock or zone, or builds a zone."""
    tree = ast.parse(source, filename)
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ZONE_MODULES:
                    report(node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.module in ZONE_MODULES:
                report(node, f"from {node.module} import ...")
            elif node.module in ZONE_HELPER_MODULES:
                for alias in node.names:
                    if alias.name in ZONE_HELPERS:
                        report(node, f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Name) and node.id == "ZoneInfo":
            report(node, "ZoneInfo")
        elif isinstance(node, ast.Attribute):
            call = calls.get(id(node))  # the call this attribute is the function of, if any
            if node.attr == "ZoneInfo":
                report(node, "ZoneInfo")
            elif _is_date_class(node.value) and node.attr in NAIVE_CLOCKS:
                report(node, f"{node.attr}()")  # called, or handed over as a default
            elif _is_date_class(node.value) and node.attr == "now":
                if call is None or len(call.args) != 1 or not _is_utc(call.args[0]) or call.keywords:
                    report(node, "now() without UTC")
            elif _is_date_class(node.value) and node.attr == "fromtimestamp":
                if call is None or (len(call.args) < 2 and not any(k.arg == "tz" for k in call.keywords)):
                    report(node, "fromtimestamp() without a zone")
            elif node.attr == "astimezone" and call is not None and not call.args and not call.keywords:
                report(node, "astimezone() into the server's zone")
            elif (isinstance(node.value, ast.Name) and node.value.id == "time"
                  and node.attr in {"localtime", "mktime", "ctime"}):
                report(node, f"time.{node.attr}()")
    return found


PLANTED = [
    ("from datetime import date\nday = date.today()\n", "today()"),
    ("import datetime\nday = datetime.date.today()\n", "today()"),
    ("from datetime import datetime\nmoment = datetime.today()\n", "today()"),
    ("from datetime import datetime\nmoment = datetime.now()\n", "now() without UTC"),
    ("from datetime import datetime\nmoment = datetime.now(tz=None)\n", "now() without UTC"),
    ("from datetime import datetime\nmoment = datetime.now(zone)\n", "now() without UTC"),
    ("from datetime import datetime\nmoment = datetime.utcnow()\n", "utcnow()"),
    ("from datetime import date\nfield = DateField(default=date.today)\n", "today()"),
    ("from datetime import datetime\nColumn(default=datetime.now)\n", "now() without UTC"),
    ("from datetime import datetime\nmoment = datetime.fromtimestamp(seconds)\n",
     "fromtimestamp() without a zone"),
    ("local = moment.astimezone()\n", "astimezone() into the server's zone"),
    ("import time\nparts = time.localtime()\n", "time.localtime()"),
    ("from zoneinfo import ZoneInfo\nzone = ZoneInfo('Europe/Paris')\n", "from zoneinfo import ..."),
    ("import zoneinfo\nzone = zoneinfo.ZoneInfo('Europe/Paris')\n", "import zoneinfo"),
    ("zone = ZoneInfo(name)\n", "ZoneInfo"),
    ("import pytz\nzone = pytz.timezone('Europe/Paris')\n", "import pytz"),
    ("from flask_babel import to_user_timezone\n", "from flask_babel import to_user_timezone"),
]


@pytest.mark.parametrize("source, expected", PLANTED)
def test_a_planted_violation_is_caught(source, expected):
    assert any(found.endswith(expected) for found in violations(source)), violations(source)


def test_instants_and_the_clock_module_are_allowed():
    allowed = """
from datetime import UTC, datetime, timezone
from flask_babel import format_date, gettext
from .services import clock
from .models import utcnow

instant = datetime.now(UTC)
also = datetime.now(timezone.utc)
stamp = datetime.fromtimestamp(seconds, UTC)
paris = moment.astimezone(clock.zone(name))
today = clock.program_today(name)
day = clock.utc_day(utcnow())
monday = datetime.fromisoformat(key).date()
"""
    assert violations(allowed) == []


def test_no_code_outside_the_clock_reads_the_server_clock_or_builds_a_zone():
    sources = sorted(path for path in PACKAGE.rglob("*.py") if path != CLOCK)
    assert len(sources) > 50  # the walk really covers the package
    found = [v for path in sources
             for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]
    assert found == []
