"""Configuration: defaults here, then ``instance/config.py``, then ``ADVOCACY_*``.

Nothing is read at import time: ``load_config`` runs inside ``create_app`` so
tests and the CLI can each build an app with their own settings.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask

from .services import clock, sso

DEFAULTS: dict[str, object] = {
    # Database: SQLite in the instance folder unless a URL is given.
    "DATABASE_URL": None,
    # Mail: .eml files in instance/outbox/ unless an SMTP host is set.
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": "Relais <relais@localhost>",
    # The mail outbox (services/mail_outbox.py): tries per e-mail, the wait
    # before the first retry (doubled at each one), and how long sent and
    # failed e-mails stay listed (without their text) for the admins.
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 60,
    "MAIL_KEEP_DAYS": 30,
    # Notifications "as it happens": still grouped, at most one e-mail per this many minutes.
    "NOTIFICATION_EMAIL_MINUTES": 15,
    # Public address used in e-mails (invitation links); None = the request's.
    "BASE_URL": None,
    "PROGRAM_NAME": "Relais",
    # Tracked links (/s/<code>) add utm_source/utm_medium/utm_campaign to the
    # content's URL; False sends visitors to the URL exactly as stored.
    "TRACKED_LINK_UTM": True,
    # Seconds a worker keeps what a link code leads to before reading it
    # again; a curator's change (archive, new URL) takes this long to apply.
    "TRACKED_LINK_CACHE_SECONDS": 10,
    # Clicks are counted in the worker's memory and written every this many
    # seconds in one upsert per link and day (0: each click at once, by the
    # same upsert). A worker killed outright loses at most its last interval.
    "TRACKED_LINK_WRITE_SECONDS": 1,
    "INVITATION_TTL_DAYS": 7,
    # Self-registration as an ambassador (confirmed by an e-mailed link),
    # only for addresses in these domains, e.g. ["example.org"].
    "OPEN_JOIN": False,
    "JOIN_ALLOWED_DOMAINS": [],
    # Privacy: no figure about a group of fewer people than this (floor 3).
    "MIN_GROUP_SIZE": 5,
    # The home page's milestones (the network's month) are the same for
    # everyone, computed by the shared-figures job: each process rereads the
    # stored row at most this often (0: every view).
    "MILESTONES_CACHE_SECONDS": 60,
    # Rendered parts of pages (the feed's cards, the share panel's body) that
    # each process keeps, keyed on everything they show (kept_html.py); 0: none.
    "KEPT_HTML": 2000,
    # The insights figures of a range are the same for every staff reader:
    # each process computes them at most this often per range (0: every view).
    "INSIGHTS_CACHE_SECONDS": 60,
    # Languages offered; the first is the fallback.
    "LANGUAGES": ["fr", "en"],
    "BABEL_DEFAULT_LOCALE": "fr",
    # Times are stored in UTC and shown/typed in this zone (IANA name).
    "TIMEZONE": "Europe/Paris",
    # None: the same as TIMEZONE.
    "BABEL_DEFAULT_TIMEZONE": None,
    # Whose conventions dates and times follow, per language: English pages
    # of a European program read "10 Dec 2026, 12:30", not "Dec 10, 2026,
    # 12:30 PM". {"en": "en_US"} for a program in the United States; a
    # language not listed uses its own default (fr: "10 déc. 2026, 12:30").
    "DATE_LOCALES": {"en": "en_GB"},
    # Rate limits (Flask-Limiter); storage may be redis:// etc. in production.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    # Per account (the e-mail typed, whether or not it has an account), on
    # top of the per-address limit: guesses spread over many addresses. Only
    # failed attempts count, and never from a browser that has signed in to
    # that account before (see README, Accounts).
    "LOGIN_ACCOUNT_RATE_LIMIT": "10 per 15 minutes",
    # The read-only API (/api/v1/): requests per token (per address without one).
    "API_RATE_LIMIT": "120 per minute",
    # An API token stops working this long after it was created; a new one is a click away.
    "API_TOKEN_DAYS": 365,
    # A session unused this long is over (signing out ends it at once).
    "SESSION_IDLE_DAYS": 30,
    # "Keep me signed in on this device": the cookie outlives the browser and
    # the session lasts this long after its last use (not after sign-in).
    "REMEMBER_DAYS": 90,
    # Sign-in by an e-mailed one-time link, offered on the sign-in page; it
    # works once, for SIGN_IN_LINK_MINUTES. Per address and per e-mail typed,
    # asking is limited like signing in (LOGIN_RATE_LIMIT, SIGN_IN_LINK_RATE_LIMIT).
    "SIGN_IN_LINKS": False,
    "SIGN_IN_LINK_MINUTES": 15,
    "SIGN_IN_LINK_RATE_LIMIT": "3 per 15 minutes",
    # Single sign-on through an OpenID Connect provider, beside passwords: on
    # when OIDC_ISSUER is set (then the client id and secret are required).
    # It signs in existing accounts only, matched on a verified e-mail.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    # The button reads "Sign in with <label>"; unset: "with your organisation's account".
    "OIDC_LABEL": None,
    # Cookies: never readable by script, not sent cross-site on POST.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Forced Secure cookies; they are Secure anyway on HTTPS requests.
    "SESSION_COOKIE_SECURE": False,
    # Trust X-Forwarded-* from this many proxies (0 = none).
    "PROXY_FIX": 0,
    # Logs (advocacy serve's request log, rate-limit breaches) leave out the
    # visitor's address unless this is turned on (privacy principle 4, docs/privacy.md).
    "LOG_CLIENT_ADDRESSES": False,
    # The app configures logging (to stderr): this level and up, as "text"
    # lines or "json" objects, one a line.
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "text",
    # /readyz answers 503 unless a scheduler holds a fresh lease: turn on
    # where `advocacy scheduler` runs beside the web workers.
    "SCHEDULER_EXPECTED": False,
    # A scheduler holds its lease this long and renews it every third of it:
    # a standby scheduler takes over this long after the other was killed.
    "SCHEDULER_LEASE_SECONDS": 90,
    # Every job this often instead of its own interval (0: their own); for
    # demonstrations and tests, every job being safe to run twice.
    "SCHEDULER_EVERY_SECONDS": 0,
    "WTF_CSRF_TIME_LIMIT": None,
    # argon2id cost: RFC_9106_LOW_MEMORY (argon2-cffi's default) or
    # RFC_9106_HIGH_MEMORY; the test suite alone may use CHEAPEST.
    "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
    # Feeds. Addresses in these networks may be fetched even though private
    # (intranet feeds): a list of CIDRs, or one string separated by commas.
    "FEED_ALLOWED_NETWORKS": [],
    "FEED_MIN_INTERVAL": 10,
    "FEED_MAX_ERRORS": 10,
    "FEED_MAX_BYTES": 10 * 1024 * 1024,
    "FEED_WORKERS": 4,
    "FEED_PER_HOST": 2,
    "FEED_BATCH_SIZE": 50,
    "FEED_USER_AGENT": "Relais/0.1 (+https://github.com/relais-advocacy/relais; feed fetcher)",
    # Request bodies. None: FEED_MAX_BYTES + 1 MiB, so that an OPML file of
    # the size a feed may have still reaches its own, worded size check
    # (forms are read before any view, by the CSRF check, so no one route
    # can have a larger allowance). The largest form, a kit page of 100,000
    # characters, is under 1 MiB even form-encoded in a non-Latin script.
    "MAX_CONTENT_LENGTH": None,
    # multipart/form-data only (the OPML upload): a text part of at most
    # 512 KiB in memory (files go to disk), and at most 100 parts.
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    "MAX_FORM_PARTS": 100,
    # Feed and content images, copied so that Relais serves them itself.
    "FEED_IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    "FEED_IMAGES_PER_REFRESH": 10,
    # The team's chat: http:// webhook addresses on a loopback address (tests,
    # development); everywhere else only https:// is accepted.
    "CHAT_WEBHOOK_HTTP_LOOPBACK": False,
}

MIN_GROUP_SIZE_FLOOR = 3


def load_config(app: Flask, test_config: dict | None) -> None:
    """Apply defaults → instance/config.py → ADVOCACY_* (or test_config)."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ADVOCACY")
    else:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'relais.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    if int(app.config["MIN_GROUP_SIZE"]) < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(
            f"MIN_GROUP_SIZE must be at least {MIN_GROUP_SIZE_FLOOR} "
            f"(got {app.config['MIN_GROUP_SIZE']})"
        )
    app.config["MIN_GROUP_SIZE"] = int(app.config["MIN_GROUP_SIZE"])
    sso.check_settings(app.config)  # half a single sign-on configuration fails at start
    clock.zone(app.config["TIMEZONE"])  # fail at start, not on the first form, if misspelt
    for date_locale in app.config["DATE_LOCALES"].values():  # and not on the first date shown
        try:
            Locale.parse(date_locale)
        except (UnknownLocaleError, ValueError) as error:
            raise ValueError(f"DATE_LOCALES: unknown locale {date_locale!r}") from error
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(app.config["FEED_MAX_BYTES"]) + 1024 * 1024
    # The cookie of a "keep me signed in" session (services/user_sessions.py),
    # renewed at each visit, lives as long as the session does on the server.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(app.config["REMEMBER_DAYS"]))
    if not app.config.get("BABEL_DEFAULT_TIMEZONE"):
        app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, created on first start.

    There is no fixed fallback: a key in the source would let anyone forge
    sessions on every installation that forgot to configure one.
    """
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key
