"""French typography in the French catalog: the spaces French puts before
high punctuation and inside guillemets, elision, one inclusive form.

Read from the .po file itself, so a new translation is checked the day it is
written, not when a page happens to show it.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "advocacy" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
NO_BREAK = "\u00a0\u202f"  # no-break space, narrow no-break space

# Each rule: a pattern a French string must not contain, and why.
RULES = [
    (re.compile(rf"(?:^|[^\s{NO_BREAK}])[:;!?](?=\s|$|»)"), "a no-break space goes before : ; ! ?"),
    (re.compile(r" [:;!?](?=\s|$|»)"), "the space before : ; ! ? must not break (U+00A0 or U+202F)"),
    (re.compile(rf"«(?![{NO_BREAK}])|(?<![{NO_BREAK}])»"), "guillemets hold a no-break space inside"),
    (re.compile(r"\b(?:[Qq]ue|[Ll]orsque|[Pp]uisque|[Jj]usque) (?=[aeiouyéèêàâîôû])"), "que + vowel elides: qu'"),
    (re.compile(r"(?<![-\w])(?:[Dd]e|[Ll]e|[Nn]e|[Ss]e|[Jj]e|[Mm]e) (?=(?:il|ils|elle|elles|on|un|une|en|y)\b)"),
     "de, le, ne… elide before il, elle, on, un, en, y"),
    # One inclusive form, the middle dot: not "ambassadeur(rice)s", "ambassadeur.rice" or "ambassadeurs/rices".
    (re.compile(r"\w\((?:e|es|rice|rices|ve|ves)\)|\w[./-](?:e|es|rice|rices|ve|ves)\b"), "inclusive forms use ·"),
    (re.compile(r"\b(?:ambassadeur|curateur|administrateur)s?\b(?!·)|\bambassadrices?\b", re.IGNORECASE),
     "people's roles take the inclusive form (ambassadeur·rice, ambassadeur·rices)"),
]


def french_strings() -> list[tuple[str, str]]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        found.extend((msgid, text) for text in strings if text)
    return found


def offences(text: str) -> list[str]:
    return [why for pattern, why in RULES if pattern.search(text)]


def test_every_french_string_follows_french_typography():
    wrong = [(msgid, text, offences(text)) for msgid, text in french_strings() if offences(text)]
    assert wrong == []


def test_the_rules_catch_what_they_forbid():
    assert offences("Rôle : %(role)s") == ["the space before : ; ! ? must not break (U+00A0 or U+202F)"]
    assert offences("Rôle: %(role)s") == ["a no-break space goes before : ; ! ?"]
    assert offences("Supprimer « %(title)s »\u202f?") == ["guillemets hold a no-break space inside"]
    assert offences("en tant que ambassadeur·rice") == ["que + vowel elides: qu'"]
    assert offences("plus de un lien") == ["de, le, ne… elide before il, elle, on, un, en, y"]
    assert offences("Ambassadeurs") == offences("les ambassadeurs") == [
        "people's roles take the inclusive form (ambassadeur·rice, ambassadeur·rices)"]
    assert offences("connecté(e)") == ["inclusive forms use ·"]
    # What French writes.
    assert offences("Rôle\u00a0: %(role)s\u202f! Supprimer «\u202f%(t)s\u202f»\u202f? 12:30, https://x.org") == []
    assert offences("en tant qu'ambassadeur·rice ; renouvelez-le en un clic ; la une") == [
        "the space before : ; ! ? must not break (U+00A0 or U+202F)"]
