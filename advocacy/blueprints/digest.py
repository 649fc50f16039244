"""The digest's pages: one-click unsubscribe (no login), the admins' weekly slot and their preview."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import intents, mailings
from ..auth import admin_required
from ..db import get_session
from ..forms.digest import DigestScheduleForm
from ..models import Purpose
from ..program_clock import program_zone
from ..services import digest
from . import unsubscribe_pages

bp = Blueprint("digest", __name__)


unsubscribe_pages.add_routes(bp, unsubscribe_pages.Unsubscribe(
    purpose=Purpose.DIGEST, salt=digest.UNSUBSCRIBE_SALT, template="digest/unsubscribe.html",
    invalid_link=lambda: _("This unsubscribe link is not valid. Nothing was changed. "
                           "You can stop the digest from \"My consents\" once signed in."),
    withdraw=digest.unsubscribe))


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
