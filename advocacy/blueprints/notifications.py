"""The ambassador's notifications: the list under "Me", marking read, the e-mail rhythm, one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import own_consents, roles_required
from ..db import get_session
from ..forms.common import ActionForm
from ..models import ConsentChannel, EmailFrequency, Purpose, Role
from ..services import clock, consent, notification_mail, notifications
from . import unsubscribe_pages

bp = Blueprint("notifications", __name__, url_prefix="/me/notifications")
ambassador_required = roles_required(Role.AMBASSADOR)


@bp.app_template_global()
def unread_notifications() -> int:
    """The navigation's count: read with the person's consents, in the same statement (auth.own_consents)."""
    if not current_user.is_authenticated or current_user.role != Role.AMBASSADOR:
        return 0
    own_consents()
    return int(g.get("unread_notifications", 0))


@bp.get("/")
@ambassador_required
def index():
    """Shows the list and writes nothing (a GET never writes): "Mark as read" is the POST below."""
    db = get_session()
    consents = own_consents()
    rows = notifications.in_app_list(db, current_user.id, clock.now())
    return render_template(
        "notifications/index.html", entries=notifications.describe(db, rows),
        newest=max((r.id for r in rows), default=0), in_app=Purpose.NOTIFY_IN_APP in consents,
        by_email=Purpose.NOTIFY_EMAIL in consents, frequency=notifications.frequency_of(db, current_user.id),
        frequencies=list(EmailFrequency), minutes=current_app.config["NOTIFICATION_EMAIL_MINUTES"])


@bp.post("/read")
@ambassador_required
def mark_read():
    """Marks read up to the newest notification the page showed: one arrived since stays unread.
    A repeat finds nothing unread left: harmless. Posted by the list's script once the list was seen
    (static/js/notifications-seen.js: answered 204, nothing to show), or by its button without it."""
    db = get_session()
    up_to = request.form.get("up_to", type=int)
    seen_by_script = request.headers.get("X-Requested-With") == "fetch"
    if ActionForm().validate_on_submit() and up_to is not None:
        notifications.mark_read(db, current_user.id, up_to, clock.now())
        db.commit()
        if seen_by_script:
            return "", 204
        flash(_("Marked as read."), "success")
    elif seen_by_script:
        return "", 400
    return redirect(url_for("notifications.index"))


@bp.post("/frequency")
@ambassador_required
def set_frequency():
    """Sets a state: a repeat sets the same one."""
    db = get_session()
    try:
        frequency = EmailFrequency(request.form.get("frequency", ""))
    except ValueError:
        flash(_("Choose how often the e-mails come among the choices shown. Nothing was changed."), "warning")
        return redirect(url_for("notifications.index"))
    if ActionForm().validate_on_submit():
        notifications.set_frequency(db, current_user.id, frequency)
        db.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("notifications.index"))


def _withdraw_email_notifications(db, user) -> None:
    consent.withdraw(db, user.id, Purpose.NOTIFY_EMAIL, channel=ConsentChannel.EMAIL)


# Its own salt: this link stops the notification e-mails, never the digest.
unsubscribe_pages.add_routes(bp, unsubscribe_pages.Unsubscribe(
    purpose=Purpose.NOTIFY_EMAIL, salt=notification_mail.UNSUBSCRIBE_SALT, template="notifications/unsubscribe.html",
    invalid_link=lambda: _("This unsubscribe link is not valid. Nothing was changed. "
                           "You can stop these e-mails from \"My consents\" once signed in."),
    withdraw=_withdraw_email_notifications))
