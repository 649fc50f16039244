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
        return browser_language(languages)
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return browser_language(languages)


def browser_language(languages: list[str]) -> str:
    """The first of the browser's languages (by preference) that we offer, a regional variant
    counting as its language; else our first. Werkzeug's best_match would prefer an exact tag
    ranked lower: "en-US,fr;q=0.9" gave French to someone who reads English first."""
    offered = {language.lower(): language for language in languages}
    for value, quality in request.accept_languages:  # most preferred first
        if quality <= 0:  # q=0 means "not this one"
            continue
        tag = value.lower().replace("_", "-")
        for candidate in (tag, tag.partition("-")[0]):
            if candidate in offered:
                return offered[candidate]
    return languages[0]


def language_of(chosen: str | None) -> str:
    """A person's chosen language when we offer it, else our first: for what is made for them away
    from their browser (e-mails, their Atom feed, the unsubscribe pages their e-mails link to)."""
    languages: list[str] = current_app.config["LANGUAGES"]
    return chosen if chosen is not None and chosen in languages else str(languages[0])
