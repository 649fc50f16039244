"""Locale choice.

The locale is the user's setting, else a choice made on the language switch
(kept in the session), else the browser's Accept-Language, else French.
The catalogs are compiled when the package is built (setup.py) or by
`make catalogs` in a checkout, never by the app, whose files may be read-only.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    if request.blueprint == "api":  # the API reads no cookie, the language one included
        return request.accept_languages.best_match(languages) or languages[0]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]
