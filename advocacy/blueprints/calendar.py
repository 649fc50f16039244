"""The program calendar: events for everyone, a personal subscription link, .ics export."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import intents
from ..auth import staff_required
from ..db import get_session
from ..forms.calendar import EventForm
from ..forms.common import ActionForm
from ..models import CalendarEvent
from ..program_clock import program_zone
from ..services import calendar, clock
from ..urls import external_url

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _page(form: EventForm | None = None, link: str | None = None, status: int = 200):
    db = get_session()
    return render_template(
        "calendar/index.html", upcoming=calendar.upcoming(db), past=calendar.past(db),
        form=form or EventForm(), subscription_link=link,
        has_subscription=calendar.has_token(db, current_user),
    ), status


def _utc(local: datetime | None) -> datetime | None:
    # The form speaks the program's time zone; the database speaks UTC.
    return clock.to_utc(local, program_zone())


def _local(moment: datetime | None) -> datetime | None:
    return clock.to_local(moment, program_zone())


def _draft(form: EventForm) -> calendar.EventDraft:
    starts_at = _utc(form.starts_at.data)
    assert starts_at is not None  # the form requires it
    return calendar.EventDraft(title=form.title.data, description=form.description.data or "",
                               starts_at=starts_at, ends_at=_utc(form.ends_at.data),
                               location=form.location.data or "")


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/events")
@staff_required
def add():
    form = EventForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("calendar.index"))
    event = calendar.create_event(get_session(), _draft(form))
    get_session().commit()
    flash(_("“%(title)s” is in the calendar.", title=event.title), "success")
    return intent.done(url_for("calendar.index"))


def _event_or_404(event_id: int) -> CalendarEvent:
    event = get_session().get(CalendarEvent, event_id)
    if event is None:
        abort(404)
    return event


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(obj=event)
    if not form.is_submitted():
        form.starts_at.data, form.ends_at.data = _local(event.starts_at), _local(event.ends_at)
        return render_template("calendar/edit.html", form=form, event=event)
    if not form.validate():
        return render_template("calendar/edit.html", form=form, event=event), 400
    calendar.update_event(event, _draft(form))
    get_session().commit()
    flash(_("“%(title)s” saved.", title=event.title), "success")
    return redirect(url_for("calendar.index"))


@bp.post("/events/<int:event_id>/delete")
@staff_required
def delete(event_id: int):
    event = _event_or_404(event_id)
    if ActionForm().validate_on_submit():
        get_session().delete(event)
        get_session().commit()
        flash(_("Event deleted."), "success")
    return redirect(url_for("calendar.index"))


@bp.post("/subscription")
@login_required
def subscribe():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("calendar.index"))
    # A repeat (a reload of the page showing the link) must not replace the
    # link just shown, which the person may have copied already.
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("calendar.index"))
    token = calendar.new_token(get_session(), current_user)
    get_session().commit()
    # Shown in this response only, never flashed into the session cookie.
    return _page(link=external_url("calendar.feed", token=token))


@bp.post("/subscription/revoke")
@login_required
def revoke():
    if ActionForm().validate_on_submit():
        calendar.revoke_token(get_session(), current_user)
        get_session().commit()
        flash(_("Your calendar link no longer works."), "success")
    return redirect(url_for("calendar.index"))


def _ics_response(download: bool) -> Response:
    data = calendar.to_ics(calendar.feed_events(get_session()), program=current_app.config["PROGRAM_NAME"],
                           host=request.host.split(":")[0] or "relais")
    response = Response(data, mimetype="text/calendar")
    if download:
        response.headers["Content-Disposition"] = 'attachment; filename="relais-calendar.ics"'
    # Personal link: keep it out of shared caches and referrers.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """Fetched by calendar apps, without the login cookie: the token is the key."""
    if calendar.user_for_token(get_session(), token) is None:
        abort(404)
    return _ics_response(download=False)


@bp.get("/export.ics")
@login_required
def export():
    return _ics_response(download=True)
