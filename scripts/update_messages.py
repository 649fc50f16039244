"""Extract every translatable string and merge it into the catalogs.

Run through `make messages`. English is the source language, so the English
catalog gets each new string as its own translation; French strings are left
empty and marked, and the catalog test fails until someone translates them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "advocacy" / "translations"
POT = TRANSLATIONS / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT)


def main() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
            "--no-location", "--omit-header", "--sort-output", "-o", str(POT), ".")
    for language in ("fr", "en"):
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        if po.exists():
            # The header stays: French needs its Plural-Forms line.
            pybabel("update", "--no-fuzzy-matching", "--ignore-obsolete",
                    "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language)
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language)
    for language in ("fr", "en"):
        rewrite(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)


def rewrite(po_path: Path, language: str) -> None:
    """Keep the catalogs unwrapped and sorted, so that a change shows only its own strings."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    if language == "en":
        fill_english(catalog)
    with po_path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=0)


def fill_english(catalog) -> None:
    for message in catalog:
        if message.id and isinstance(message.id, tuple) and not all(message.string):
            message.string = message.id  # plural forms: (singular, plural)
        elif message.id and not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")


if __name__ == "__main__":
    main()
