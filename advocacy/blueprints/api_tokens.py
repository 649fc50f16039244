"""The API token pages: staff tokens for admins (/admin/api-tokens), an ambassador's own (/me/api-tokens).

A new token is shown once, in the answer to the POST that made it (never
flashed into the session cookie, never stored): a reload repeats the POST,
whose intent key makes no second token and leads back to the list.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import intents
from ..auth import admin_required, roles_required
from ..db import get_session
from ..forms.api_tokens import SCOPE_LABELS, PersonalTokenForm, StaffTokenForm
from ..forms.common import ActionForm
from ..messages import message_for
from ..models import Role
from ..services import api_tokens, clock

bp = Blueprint("api_tokens", __name__)
ambassador_required = roles_required(Role.AMBASSADOR)


def _lifetime() -> timedelta:
    return timedelta(days=int(current_app.config["API_TOKEN_DAYS"]))


def _staff_page(form: StaffTokenForm, new_token: str | None = None, status: int = 200):
    return render_template("api_tokens/staff.html", form=form, new_token=new_token, scope_labels=SCOPE_LABELS,
                           tokens=api_tokens.staff_tokens(get_session()),
                           docs_url=url_for("api.openapi", _external=True)), status


@bp.get("/admin/api-tokens")
@admin_required
def staff():
    return _staff_page(StaffTokenForm())


@bp.post("/admin/api-tokens")
@admin_required
def create_staff():
    form = StaffTokenForm()
    if not form.validate_on_submit():
        return _staff_page(form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("api_tokens.staff"))
    try:
        created = api_tokens.create_staff_token(db, current_user, form.name.data or "", form.scopes.data or [],
                                                now=clock.now(), lifetime=_lifetime())
    except api_tokens.ApiTokenError as error:
        db.rollback()  # the intent key too: the corrected form may be sent again
        getattr(form, error.field or "name").errors = [message_for(error)]
        return _staff_page(form, status=400)
    db.commit()
    return _staff_page(StaffTokenForm(formdata=None), new_token=created.token)


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@admin_required
def revoke_staff(token_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("api_tokens.staff"))
    db = get_session()
    if not api_tokens.revoke_staff_token(db, token_id):
        abort(404)
    db.commit()
    flash(_("The token is revoked: it no longer opens anything."), "success")
    return redirect(url_for("api_tokens.staff"))


def _personal_page(form: PersonalTokenForm, new_token: str | None = None, status: int = 200):
    return render_template("api_tokens/mine.html", form=form, new_token=new_token,
                           tokens=api_tokens.of_person(get_session(), current_user.id),
                           docs_url=url_for("api.openapi", _external=True)), status


@bp.get("/me/api-tokens")
@ambassador_required
def mine():
    return _personal_page(PersonalTokenForm())


@bp.post("/me/api-tokens")
@ambassador_required
def create_mine():
    form = PersonalTokenForm()
    if not form.validate_on_submit():
        return _personal_page(form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("api_tokens.mine"))
    try:
        created = api_tokens.create_personal_token(db, current_user, form.name.data or "", now=clock.now(),
                                                   lifetime=_lifetime())
    except api_tokens.ApiTokenError as error:
        db.rollback()
        form.name.errors = [message_for(error)]
        return _personal_page(form, status=400)
    db.commit()
    return _personal_page(PersonalTokenForm(formdata=None), new_token=created.token)


@bp.post("/me/api-tokens/<int:token_id>/revoke")
@ambassador_required
def revoke_mine(token_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("api_tokens.mine"))
    db = get_session()
    if not api_tokens.revoke_own(db, current_user.id, token_id):
        abort(404)  # revoked already, or not theirs: nothing to say about it
    db.commit()
    flash(_("The token is revoked: it no longer opens anything."), "success")
    return redirect(url_for("api_tokens.mine"))
