"""The README's settings table lists every setting of config.py, with its default."""

from __future__ import annotations

import json
import re
from pathlib import Path

from advocacy.config import DEFAULTS

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE_HEADER = "| setting (`ADVOCACY_…`) | default | meaning |"
# Settings with no entry in DEFAULTS (computed at start when unset).
COMPUTED = {"SECRET_KEY"}


def settings_table() -> dict[str, str]:
    """Each setting named in the table's first column, and its default cell."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADER) + 2  # past the header and its |---| line
    rows: dict[str, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        names_cell, default_cell = [cell.strip() for cell in line.strip("|").split("|")[:2]]
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", names_cell):
            rows[name] = default_cell
    return rows


def test_every_setting_is_in_the_readme_table_and_nothing_else():
    table = settings_table()
    assert sorted(set(DEFAULTS) - set(table)) == [], "add these settings to the README's table"
    assert sorted(set(table) - set(DEFAULTS) - COMPUTED) == [], "the README lists settings config.py lacks"


def test_the_table_shows_each_plain_default_as_config_py_has_it():
    table = settings_table()
    wrong = {}
    for name, value in DEFAULTS.items():
        if isinstance(value, bool):
            shown = json.dumps(value)
        elif isinstance(value, int | str) and name != "FEED_USER_AGENT":
            shown = str(value)
        else:
            continue  # None, lists and dicts are described in words
        if not table[name].startswith(f"`{shown}`"):
            wrong[name] = (table[name], shown)
    assert wrong == {}
