"""French and English: locale choice, and catalogs that stay complete."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from advocacy.models import Role

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "advocacy" / "translations"


def extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
        check=True, cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalog_translates_every_extracted_string(tmp_path, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and "fuzzy" not in message.flags
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = sorted(extracted_ids(tmp_path) - translated)
    assert not missing, f"{language} catalog lacks: {missing} (run `make messages` and translate)"


def test_default_language_is_french(client):
    assert b"Se connecter" in client.get("/login").data


def test_browser_language_is_followed(client):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).data
    assert b"Sign in" in html and b'lang="en"' in html


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,fr;q=0.9", b"Sign in"),  # a regional English first: English, not the French it ranks second
    ("fr-CA,en;q=0.9", b"Se connecter"),
    ("de,en-GB;q=0.8,fr;q=0.5", b"Sign in"),
    ("de,en;q=0", b"Se connecter"),  # q=0: "not English", so the default
])
def test_the_browsers_first_language_wins_even_as_a_regional_variant(client, header, expected):
    assert expected in client.get("/login", headers={"Accept-Language": header}).data


def test_unsupported_browser_language_falls_back_to_french(client):
    assert b"Se connecter" in client.get("/login", headers={"Accept-Language": "de"}).data


def test_user_setting_beats_the_browser(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    assert b"Sign out" in client.get("/", headers={"Accept-Language": "fr"}).data


def test_language_switch_is_remembered(client):
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert b"Sign in" in client.get("/login", headers={"Accept-Language": "fr"}).data


def test_language_switch_updates_the_signed_in_user(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="fr")
    client.post("/language", data={"language": "en", "next": "/"})
    from advocacy.db import get_session
    from advocacy.models import User

    with app.app_context():
        assert get_session().get(User, user.id).language == "en"


@pytest.mark.parametrize("language,title", [("fr", "Page introuvable"), ("en", "Page not found")])
def test_error_pages_in_both_languages(client, language, title):
    response = client.get("/nowhere", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert title.encode() in response.data


def test_forbidden_page_is_translated(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    response = client.get("/admin/users")
    assert response.status_code == 403 and b"Access denied" in response.data
