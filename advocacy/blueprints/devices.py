"""The person's signed-in devices: see them, sign one out, or sign out everywhere."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from ..auth import own_session_id
from ..db import get_session
from ..forms.common import ActionForm
from ..security import forget_on_this_device
from ..services import clock, user_sessions

bp = Blueprint("devices", __name__, url_prefix="/me/devices")


def _signed_out_here(message: str) -> Response:
    """This browser's session has ended: the cookie is emptied and the browser forgets the pages it kept."""
    logout_user()
    session.clear()
    flash(message, "info")
    return forget_on_this_device(redirect(url_for("auth.login")))


@bp.get("/")
@login_required
def index():
    rows = user_sessions.of_person(get_session(), current_user.id, now=clock.now(),
                                   lifetimes=user_sessions.Lifetimes.from_config(current_app.config))
    return render_template("devices/index.html", devices=rows, this_device=own_session_id())


@bp.post("/<int:session_id>/sign-out")
@login_required
def sign_out(session_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("devices.index"))
    db = get_session()
    if not user_sessions.end_one(db, current_user.id, session_id):
        abort(404)  # ended already, or not theirs: nothing to say about it
    db.commit()
    if session_id == own_session_id():
        return _signed_out_here(_("You are signed out."))
    flash(_("That device is signed out."), "success")
    return redirect(url_for("devices.index"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("devices.index"))
    db = get_session()
    user_sessions.end_all(db, current_user.id)
    db.commit()
    return _signed_out_here(_("You are signed out on every device, this one included."))
