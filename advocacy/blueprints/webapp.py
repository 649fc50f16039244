"""The installable web app: favicon, manifest, service worker and the offline page.

Nothing here is personal: every response is the same for every reader of a
language, signed in or not (security.NOTHING_PERSONAL keeps their caching).
The service worker itself is static/js/service-worker.js; this module serves
it from the root, so that its scope is the whole app, with its settings.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, render_template, request, send_from_directory, url_for
from flask_babel import force_locale, get_locale, gettext

bp = Blueprint("webapp", __name__)

# --accent and --bg in static/css/relais.css: the title bar and the splash screen.
THEME_COLOUR = "#1d6b57"
BACKGROUND_COLOUR = "#f5f7f6"
# The address never changes with the drawing, so not a year: a new icon shows within a month.
FAVICON_MAX_AGE = 30 * 24 * 3600


@bp.app_template_global()
def theme_colour() -> str:
    return THEME_COLOUR


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it on every site whatever the page links to.
    return send_from_directory(Path(current_app.static_folder or "") / "icons", "favicon.ico",
                               mimetype="image/x-icon", max_age=FAVICON_MAX_AGE)


@bp.get("/manifest.webmanifest")
def manifest():
    # Browsers fetch the manifest without the session cookie: the page names its language in the address.
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("lang") if request.args.get("lang") in languages else str(get_locale())
    name = current_app.config["PROGRAM_NAME"]
    with force_locale(language):
        description = gettext("Posts to share with your own networks, in your own words.")

    def icon(filename: str, size: str, kind: str, purpose: str = "any") -> dict:
        return {"src": url_for("static", filename=f"icons/{filename}"), "sizes": size, "type": kind,
                "purpose": purpose}

    home = url_for("main.home")
    body = {
        "id": home, "name": name, "short_name": name, "description": description, "lang": language,
        "dir": "ltr", "start_url": home, "scope": home, "display": "standalone",
        "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
        "icons": [icon("icon-192.png", "192x192", "image/png"), icon("icon-512.png", "512x512", "image/png"),
                  icon("icon-maskable-512.png", "512x512", "image/png", "maskable"),
                  icon("relais.svg", "any", "image/svg+xml")],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    settings = {
        "version": assets_version(current_app),
        "home": url_for("main.home"),
        "offline": url_for("webapp.offline"),
        "signOut": url_for("auth.logout"),
        "static": url_for("static", filename=""),
        "precache": [url_for("webapp.offline")] + [url_for("static", filename=name) for name in (
            "css/relais.css", "js/relais.js", "js/share-loop.js", "icons/relais.svg", "icons/icon-192.png")],
    }
    script = Path(current_app.static_folder or "", "js", "service-worker.js").read_text("utf-8")
    response = Response(f"const RELAIS = {json.dumps(settings)};\n{script}", mimetype="text/javascript")
    # Browsers look for a new worker at each visit; no-cache makes every look reach us.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("main.home")
    return response


@bp.get("/offline")
def offline():
    """What the service worker shows for a page it cannot reach: kept at install, shown to nobody in particular."""
    response = Response(render_template("webapp/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


def assets_version(app: Flask) -> str:
    """A digest of what the worker keeps (static files, the offline page and its translations).

    It names the worker's cache: a deployment that changes any of them
    changes sw.js, so browsers install the new worker, which drops the old
    cache. Computed once per process: the files do not change under it.
    """
    if "webapp_assets_version" not in app.extensions:
        package = Path(app.root_path)
        files = sorted([*Path(app.static_folder or "").rglob("*"), package / "templates" / "webapp" / "offline.html",
                        *(package / "translations").rglob("*.mo")])
        digest = hashlib.sha256()
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        app.extensions["webapp_assets_version"] = digest.hexdigest()[:16]
    return app.extensions["webapp_assets_version"]
