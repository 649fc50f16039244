"""The running app's feed settings, read from its configuration once.

``FeedSettings.from_config`` (services/ingest.py) is the only code that reads
the FEED_* keys. It runs when the app is created, so a wrong value (a
mistyped network) stops the start instead of failing every refresh; the
pages, jobs and commands then take the settings from here.
"""

from __future__ import annotations

from flask import Flask, current_app

from .services.ingest import FeedSettings

EXTENSION_KEY = "advocacy.feed_settings"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = FeedSettings.from_config(app.config)


def current() -> FeedSettings:
    return current_app.extensions[EXTENSION_KEY]
