"""Thanks to the whole network, posted by the team."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import intents
from ..auth import staff_required
from ..db import get_session
from ..forms.common import ActionForm
from ..forms.thanks import ThanksForm
from ..messages import message_for
from ..models import NetworkThanks
from ..program_clock import program_today
from ..services import ambassadors, thanks

bp = Blueprint("thanks", __name__, url_prefix="/thanks")


@bp.app_template_global()
def latest_network_thanks(limit: int = 3) -> list[NetworkThanks]:
    """For the home page; empty for visitors who are not signed in."""
    if not current_user.is_authenticated:
        return []
    return thanks.recent(get_session(), limit)


def _form() -> ThanksForm:
    form = ThanksForm()
    form.thanked.choices = [(0, _("The whole network"))] + [
        (user.id, user.name) for user in ambassadors.thankable_by_name(get_session(), program_today())]
    return form


def _page(form: ThanksForm | None = None, status: int = 200):
    return render_template("thanks/index.html", items=thanks.recent(get_session(), 50),
                           form=form or _form()), status


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/")
@staff_required
def post():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("thanks.index"))
    try:
        thanks.post(get_session(), form.message.data, program_today(), form.thanked.data or None)
    except thanks.ThanksError as error:
        get_session().rollback()
        form.thanked.errors = [message_for(error)]
        return _page(form, status=400)
    get_session().commit()
    flash(_("Your thanks are posted for the whole network."), "success")
    return intent.done(url_for("thanks.index"))


@bp.post("/<int:thanks_id>/delete")
@staff_required
def delete(thanks_id: int):
    item = get_session().get(NetworkThanks, thanks_id)
    if item is None:
        abort(404)
    if ActionForm().validate_on_submit():
        thanks.delete(get_session(), item)
        get_session().commit()
        flash(_("Thanks removed."), "success")
    return redirect(url_for("thanks.index"))
