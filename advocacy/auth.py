"""Who is signed in, and the role checks views use."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from .db import get_session
from .models import Role
from .services import accounts


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        return accounts.load_from_session_id(get_session(), session_id)


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
