"""Compile translation catalogs (.po) into the .mo files Flask-Babel reads.

One way of compiling for every build: setup.py runs it on the copy of the
catalogs that goes into the wheel, and the Makefile runs it on the checkout
(`make catalogs`, for the editable install of `make run` and `make test`).
The app itself never compiles: an installed package may be read-only.

Usage: python scripts/compile_catalogs.py PO_FILE...  (each .mo beside its .po)

Only Babel and the standard library are imported, so that the isolated
environment setup.py builds in can run it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalog(po_path: Path) -> Path:
    """Write the .mo beside ``po_path`` (…/<language>/LC_MESSAGES/<domain>.po)."""
    mo_path = po_path.with_suffix(".mo")
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name)
    # Fuzzy messages are left out (write_mo's default); the header, which
    # Babel marks fuzzy, is always kept: it carries French plural forms.
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    return mo_path


def compile_all(translations_dir: Path) -> list[Path]:
    return [compile_catalog(po_path) for po_path in sorted(translations_dir.glob("*/LC_MESSAGES/*.po"))]


def main(arguments: list[str]) -> None:
    if not arguments:
        sys.exit("usage: python scripts/compile_catalogs.py PO_FILE...")
    for argument in arguments:
        print(f"compiled {compile_catalog(Path(argument))}")


if __name__ == "__main__":
    main(sys.argv[1:])
