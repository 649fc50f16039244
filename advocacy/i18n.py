"""Locale choice and catalog compilation.

The locale is the user's setting, else a choice made on the language switch
(kept in the session), else the browser's Accept-Language, else French.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request, session
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
log = logging.getLogger(__name__)


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every .po whose .mo is missing or older; return what was written.

    Run at start and by the Makefile, so nobody compiles catalogs by hand and
    a fresh checkout never serves untranslated pages.
    """
    written = []
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError as exc:  # read-only install: serve what was compiled at install
            log.warning("cannot compile %s: %s", po_path, exc)
            continue
        written.append(mo_path)
    return written
