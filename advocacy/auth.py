"""Who is signed in, and the role checks views use."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from .db import get_engine, get_session
from .models import AmbassadorProfile, Purpose, Role
from .services import ambassadors, clock, notifications, user_sessions

# The key in the signed cookie that holds the session's token.
SESSION_TOKEN_KEY = "session_token"


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        now = clock.now()
        signed_in = user_sessions.find(get_session(), user_id, session.get(SESSION_TOKEN_KEY), now=now,
                                       lifetimes=user_sessions.Lifetimes.from_config(current_app.config))
        if signed_in is None:
            return None
        g.own_profile = signed_in.profile
        g.own_session_id = signed_in.session_id
        if signed_in.due_for_last_seen(now):
            with get_engine().begin() as connection:
                user_sessions.record_last_seen(connection, signed_in.session_id, now)
        return signed_in.user


# Read once per request for the signed-in person, by the before-request
# checks and the pages alike. Only for pages that read them: a request that
# grants, withdraws or edits reads the services directly.

def own_profile() -> AmbassadorProfile | None:
    """The signed-in person's ambassador profile (loaded with their session)."""
    if "own_profile" not in g:
        g.own_profile = ambassadors.profile_of(get_session(), current_user.id)
    return g.own_profile


def own_session_id() -> int | None:
    """The id of the session this request is signed in with (its row in user_sessions)."""
    return g.get("own_session_id")


def own_consents() -> frozenset[Purpose]:
    """The purposes the signed-in person's consent stands for now."""
    if "own_consents" not in g:
        # The navigation's count of unread notifications comes in the same statement.
        g.own_consents, g.unread_notifications = notifications.consents_and_unread(
            get_session(), current_user.id, clock.now())
    return g.own_consents


def roles_required(*roles: Role):
    """Signed in with one of these roles, else 403 (401 → login when signed out)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(Role.CURATOR, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)
