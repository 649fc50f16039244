"""The digest's pages: one-click unsubscribe (no login), the admins' weekly slot and their preview."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import intents, mailings
from ..auth import admin_required
from ..db import get_session
from ..errors import render_error
from ..extensions import csrf
from ..forms.digest import DigestScheduleForm
from ..models import Purpose
from ..program_clock import program_zone
from ..services import consent, digest

bp = Blueprint("digest", __name__)


def _person(token: str):
    user = digest.user_of_token(get_session(), current_app.config["SECRET_KEY"], token)
    if user is None:
        abort(make_response(render_error(404, _("This unsubscribe link is not valid. Nothing was changed. "
                                  "You can stop the digest from \"My consents\" once signed in."))))
    return user


def _language(user) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.language if user.language in languages else languages[0]


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Only a page with a button: link scanners and previews follow GETs, so GET changes nothing."""
    user = _person(token)
    subscribed = consent.has_consent(get_session(), user.id, Purpose.DIGEST)
    with force_locale(_language(user)):
        return render_template("digest/unsubscribe.html", token=token, subscribed=subscribed, done=False)


# The signed token is the authentication, and RFC 8058 one-click requests
# (a POST of "List-Unsubscribe=One-Click" by the mail provider) carry no CSRF
# token: a forger would need the token, which only the recipient has.
@csrf.exempt
@bp.post("/unsubscribe/<token>")
def confirm_unsubscribe(token: str):
    user = _person(token)
    db = get_session()
    digest.unsubscribe(db, user)
    db.commit()
    with force_locale(_language(user)):
        return render_template("digest/unsubscribe.html", token=token, subscribed=False, done=True)


@bp.route("/admin/program/digest", methods=["GET", "POST"])
@admin_required
def settings():
    db = get_session()
    current = digest.schedule(db)
    form = DigestScheduleForm(weekday=current.weekday, hour=current.hour)
    if form.validate_on_submit():
        digest.set_schedule(db, form.weekday.data, form.hour.data)
        db.commit()
        flash(_("The digest schedule is saved."), "success")
        return redirect(url_for("digest.settings"))
    return render_template("digest/settings.html", form=form, timezone=program_zone()), \
        400 if form.errors else 200



@bp.post("/admin/program/digest/preview")
@admin_required
def send_preview():
    """The digest as this admin would get it, to their own address; the key makes a reload send nothing."""
    db = get_session()
    intent = intents.claim(db)
    back = url_for("digest.settings")
    if not intent.new:
        return intent.repeated(back)
    outcome = mailings.send_digest_preview(current_user)
    if outcome == "queued":
        db.commit()
        flash(_("A preview of the digest is on its way to %(email)s.", email=current_user.email), "success")
        return intent.done(back)
    db.rollback()  # the key stays unused: sending the form again tries again
    flash(_("Nothing was published since the last digest, so nobody would get one: no preview was sent."), "info")
    return redirect(back)
