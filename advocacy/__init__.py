"""Relais: a consent-first manager for volunteer ambassador programs."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, errors, feed_settings, health, i18n, logs, security, templating
from .config import load_config
from .extensions import babel, csrf, limiter, login_manager
from .services import passwords


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app. Starts nothing in the background (no scheduler, no threads).

    ``test_config`` replaces instance/config.py and the environment, so that
    tests never pick up a developer's settings.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    load_config(app, test_config)
    feed_settings.init_app(app)
    register_extensions(app)
    register_data_rules()
    register_blueprints(app)
    register_cli(app)
    errors.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    health.mount(app)
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    logs.wrap(app)
    return app


def register_extensions(app: Flask) -> None:
    passwords.configure(app.config["PASSWORD_HASH_PROFILE"], testing=bool(app.config.get("TESTING")))
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    from .auth import init_login

    init_login(app, login_manager)


def register_data_rules() -> None:
    """Load the areas that hook into consent withdrawal, export and erasure.

    Their rules must hold whichever page or job runs first, so they are
    loaded with the app rather than with the page that uses them.
    """
    from .services import (  # noqa: F401
        api_tokens,
        digest,
        feedback,
        reader_feeds,
        renewals,
        sharing,
        sign_in_links,
        surveys,
        thanks,
        user_sessions,
    )


def register_blueprints(app: Flask) -> None:
    from .blueprints import (
        admin,
        ambassador,
        api,
        api_tokens,
        auth,
        calendar,
        chat_webhooks,
        curation,
        devices,
        digest,
        feedback,
        feeds,
        images,
        insights,
        kit,
        links,
        main,
        notifications,
        onboarding,
        program_admin,
        reader_feeds,
        sharing,
        sso,
        surveys,
        thanks,
        webapp,
    )
    from .urls import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # before the blueprints add their routes

    for blueprint in (main.bp, auth.bp, admin.bp, feeds.bp, curation.bp, ambassador.bp, onboarding.bp,
                      program_admin.bp, kit.bp, calendar.bp, feedback.bp, surveys.bp, thanks.bp, sharing.bp,
                      digest.bp, insights.bp, images.bp, webapp.bp, devices.bp, reader_feeds.bp, sso.bp,
                      api.bp, api_tokens.bp, chat_webhooks.bp, notifications.bp):
        app.register_blueprint(blueprint)
    links.mount(app)  # /s/<code>: its own small app in front (see blueprints/links.py)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
