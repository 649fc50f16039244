"""Once per intent, for the views: the key a creating form carries, and what a repeat gets.

A form that creates something renders ``{{ intent_field() }}``: a hidden
random key, fresh for each form shown, signed with the app's secret and its
time. When the form comes back, the view claims it (``claim``) before
creating anything: the first request creates and answers with a redirect
(post/redirect/get, ``Intent.done``); a repeat of the same POST creates
nothing and is sent where the first one led (``Intent.repeated``).

Where the first one led is remembered in the person's own signed session
cookie, never in the database: the database keeps only a digest of the key
(``services/intents.py``), tied to no person and no row.

A POST without a key (a client that is not our form) is a new intent: our
forms always send one, and such a client could fetch a fresh form as easily,
so refusing it would protect nothing. A key older than the database keeps
keys for is refused, so a forgotten key never passes for a new one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import abort, current_app, flash, redirect, request, session
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .services import clock
from .services import intents as used

FIELD = "intent"
# The locations the latest intents led to, in the session cookie: a few suffice
# (a repeat follows its original within seconds or minutes), and the cookie stays small.
RESULTS_KEY = "intent_results"
RESULTS_KEPT = 8


def _signer() -> TimestampSigner:
    secret = current_app.secret_key
    assert secret is not None  # create_app always sets one
    return _signer_for(secret)


@lru_cache(maxsize=8)
def _signer_for(secret: str | bytes) -> TimestampSigner:
    # One per secret and process: the share panel shows a key per network, and a signer is not free to make.
    return TimestampSigner(secret, salt="relais-intent")


def issue() -> str:
    return _signer().sign(secrets.token_urlsafe(16)).decode()


def hidden_field() -> Markup:
    """``{{ intent_field() }}`` in a form that creates something: a key for this form alone."""
    # Escaped by hand: Markup.format costs more than signing the key (a feed page has ten).
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(issue())}">')


@dataclass(frozen=True)
class Intent:
    key: str | None  # None: the request carried no key
    new: bool
    expired: bool = False

    def done(self, location: str) -> Response:
        """After the commit: remember where this intent led, and go there (the browser follows with a GET)."""
        if self.key is not None:
            results = [pair for pair in session.get(RESULTS_KEY, []) if pair[0] != self._short]
            session[RESULTS_KEY] = [[self._short, location], *results][:RESULTS_KEPT]
        return redirect(location)

    def repeated(self, fallback: str) -> Response:
        """A repeat: nothing was created; go where the first one led (else to ``fallback``)."""
        if self.expired:
            flash(_("This form was opened too long ago to be sent: nothing was recorded. "
                    "Please fill it in again."), "warning")
            return redirect(fallback)
        led_to = dict(session.get(RESULTS_KEY, []))
        flash(_("Already done: sending the same form again changes nothing."), "info")
        return redirect(led_to.get(self._short, fallback))

    @property
    def _short(self) -> str:
        return used.digest(self.key or "")[:16]


def claim(db: Session) -> Intent:
    """Claim the key the form carried, in this request's unit of work (before creating anything)."""
    token = request.form.get(FIELD)
    if not token:
        return Intent(None, new=True)
    try:
        key = _signer().unsign(token, max_age=int(used.KEEP.total_seconds())).decode()
    except SignatureExpired:
        return Intent(token, new=False, expired=True)
    except BadSignature:
        abort(400)
    return Intent(key, new=used.claim(db, key, clock.utc_today()))
