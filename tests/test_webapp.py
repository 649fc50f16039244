"""The installable app: favicon, manifest, icons, service worker, offline page, and what sign-out clears.

The service worker's own decisions (what it keeps, what it shows offline)
are tested in Node: tests/js/service_worker.test.mjs.
"""

import io
import json
import re

from flask import Flask
from PIL import Image

from advocacy.blueprints.webapp import assets_version
from advocacy.models import Role


def test_favicon_is_an_icon_kept_for_long(client, auth):
    for signed_in in (False, True):
        if signed_in:
            auth.login_as(Role.AMBASSADOR)
        response = client.get("/favicon.ico")
        assert response.status_code == 200 and response.mimetype == "image/x-icon"
        assert "max-age=2592000" in response.headers["Cache-Control"]  # signed in too: nothing personal
        assert "no-store" not in response.headers["Cache-Control"]
        icon = Image.open(io.BytesIO(response.data))
        assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]


def test_manifest_describes_an_installable_app_whose_icons_exist(client):
    response = client.get("/manifest.webmanifest?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == "Relais" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "en" and manifest["description"].startswith("Posts to share")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])

    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == icon["type"], icon
        if icon["type"] == "image/png":
            width, height = Image.open(io.BytesIO(image.data)).size
            assert f"{width}x{height}" == icon["sizes"], icon


def test_manifest_speaks_the_language_of_the_page_that_links_it(client):
    assert json.loads(client.get("/manifest.webmanifest?lang=fr").data)["description"].startswith("Des publications")
    # An unknown language: the reader's own (French by default here).
    assert json.loads(client.get("/manifest.webmanifest?lang=xx").data)["lang"] == "fr"


def test_service_worker_is_served_from_the_root_with_its_settings(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"  # each visit's update check reaches us
    script = response.get_data(as_text=True)
    settings = json.loads(re.match(r"const RELAIS = (\{.*\});\n", script).group(1))
    assert settings["home"] == "/" and settings["offline"] == "/offline" and settings["signOut"] == "/logout"
    assert settings["static"] == "/static/" and re.fullmatch(r"[0-9a-f]{16}", settings["version"])
    assert "/offline" in settings["precache"] and "/static/css/relais.css" in settings["precache"]
    for url in settings["precache"]:  # one missing file and the worker never installs
        assert client.get(url).status_code == 200, url
    assert 'addEventListener("fetch"' in script


def test_the_workers_version_changes_with_what_it_keeps(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("body { color: black; }")
    first = assets_version(Flask("one", root_path=str(tmp_path)))
    assert assets_version(Flask("again", root_path=str(tmp_path))) == first
    (tmp_path / "static" / "app.css").write_text("body { color: navy; }")
    assert assets_version(Flask("changed", root_path=str(tmp_path))) != first


def test_offline_page_is_translated_and_holds_nothing_of_the_reader(client, auth):
    french = client.get("/offline")
    assert french.status_code == 200 and "Vous êtes hors ligne" in french.get_data(as_text=True)
    english = client.get("/offline", headers={"Accept-Language": "en"})
    assert english.status_code == 200 and "You are offline" in english.get_data(as_text=True)

    user = auth.login_as(Role.AMBASSADOR)
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    # Kept on the device for whoever opens the app next: no name, no menu, no form token.
    assert user.email not in html and user.name not in html
    assert "csrf_token" not in html and "<form" not in html and "site-nav" not in html
    assert "no-store" not in response.headers["Cache-Control"]
    assert "<script>" not in html


def test_every_page_links_the_manifest_icons_and_worker(client, auth):
    for signed_in in (False, True):
        if signed_in:
            auth.login_as(Role.AMBASSADOR)
        html = client.get("/" if signed_in else "/login").get_data(as_text=True)
        assert re.search(r'<meta name="theme-color" content="#[0-9a-f]{6}">', html)
        for rel in ("manifest", "icon", "apple-touch-icon"):
            href = re.search(rf'<link rel="{rel}" href="([^"]+)"', html).group(1)
            assert client.get(href).status_code == 200, rel
        assert 'data-service-worker="/sw.js"' in html
        assert "data-offline-notice hidden" in html


def test_csp_lets_our_worker_and_manifest_in_and_nothing_inline(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_only_the_ambassadors_first_feed_page_may_be_kept_offline(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
    assert client.get("/?page=2").headers["Cache-Control"] == "no-store"
    assert client.get("/me/data").headers["Cache-Control"] == "no-store"
    auth.logout()
    auth.login_as(Role.CURATOR)
    assert client.get("/").headers["Cache-Control"] == "no-store"  # a staff home is not kept


def test_signing_out_clears_what_the_device_kept(client, auth):
    auth.login_as(Role.AMBASSADOR)
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/login").headers


def test_erasing_ones_account_clears_what_the_device_kept(client, auth):
    auth.login_as(Role.AMBASSADOR)
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
