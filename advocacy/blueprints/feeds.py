"""Curator pages for feeds: health, add, interval, enable/disable, delete, OPML."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import feed_settings, intents
from ..auth import staff_required
from ..db import get_session
from ..forms.common import ActionForm
from ..forms.feeds import AddFeedForm, IntervalForm, OpmlImportForm
from ..messages import feed_disabled_message, feed_error_message, message_for
from ..models import Feed
from ..services import feeds as feed_service

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.app_template_global()
def feed_error(feed: Feed) -> str:
    return feed_error_message(feed.last_error_code, feed.last_error_params)


@bp.app_template_global()
def feed_disabled_reason(feed: Feed) -> str:
    return feed_disabled_message(feed.disabled_reason)


def _page(add_form=None, import_form=None, status=200):
    return render_template(
        "feeds/index.html",
        rows=feed_service.list_feeds(get_session()),
        add_form=add_form or AddFeedForm(),
        import_form=import_form or OpmlImportForm(),
        min_interval=_min_interval(),
    ), status


@bp.get("/")
@staff_required
def index():
    return _page()


@bp.post("/")
@staff_required
def add():
    form = AddFeedForm()
    if not form.validate_on_submit():
        return _page(add_form=form, status=400)
    # No intent key: one feed per address already makes a repeat harmless (it
    # is told the feed is in the list), and add_feed commits before fetching.
    try:  # add_feed commits the feed it stores
        feed, report = feed_service.add_feed(get_session(), form.url.data, feed_settings.current(),
                                             interval=form.interval.data)
    except feed_service.FeedManagementError as error:
        getattr(form, error.field).errors = [message_for(error)]
        return _page(add_form=form, status=400)
    except feed_service.FeedError as error:
        # Nothing is stored: the curator sees why and can fix what they typed.
        form.url.errors = [message_for(error)]
        return _page(add_form=form, status=400)
    flash(ngettext("Feed “%(title)s” added with %(num)s new item.", "Feed “%(title)s” added with %(num)s new items.",
                   report.new_items, title=feed.display_title), "success")
    return redirect(url_for("feeds.index"))


def _min_interval() -> int:
    return feed_settings.current().min_interval


def _feed_or_404(feed_id: int) -> Feed:
    feed = get_session().get(Feed, feed_id)
    if feed is None:
        abort(404)
    return feed


@bp.post("/<int:feed_id>/interval")
@staff_required
def set_interval(feed_id: int):
    feed = _feed_or_404(feed_id)
    form = IntervalForm()
    try:
        if not (form.validate_on_submit() and form.interval.data):
            raise feed_service.FeedManagementError("interval_too_short", minimum=_min_interval())
        feed_service.set_interval(feed, form.interval.data, _min_interval())
    except feed_service.FeedManagementError as error:
        flash(message_for(error), "error")
    else:
        get_session().commit()
        flash(_("“%(title)s” will be checked every %(minutes)s minutes.", title=feed.display_title,
                minutes=feed.interval_minutes), "success")
    return redirect(url_for("feeds.index"))


@bp.post("/<int:feed_id>/<any(enable, disable):action>")
@staff_required
def toggle(feed_id: int, action: str):
    feed = _feed_or_404(feed_id)
    if ActionForm().validate_on_submit():
        if action == "enable":
            feed_service.enable(feed)
            flash(_("“%(title)s” is on again and will be checked shortly.", title=feed.display_title), "success")
        else:
            feed_service.disable(feed)
            flash(_("“%(title)s” is switched off.", title=feed.display_title), "success")
        get_session().commit()
    return redirect(url_for("feeds.index"))


@bp.get("/<int:feed_id>/delete")
@staff_required
def confirm_delete(feed_id: int):
    return render_template("feeds/delete.html", feed=_feed_or_404(feed_id))


@bp.post("/<int:feed_id>/delete")
@staff_required
def delete(feed_id: int):
    feed = _feed_or_404(feed_id)
    if ActionForm().validate_on_submit():
        title = feed.display_title
        feed_service.delete(get_session(), feed)
        get_session().commit()
        flash(_("Feed “%(title)s” deleted. Content already curated from it stays.", title=title), "success")
    return redirect(url_for("feeds.index"))


@bp.post("/import")
@staff_required
def import_opml():
    form = OpmlImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("feeds.index"))
    try:
        limit = feed_settings.current().fetch.max_bytes
        report = feed_service.import_opml(db, form.file.data.read(limit + 1), max_bytes=limit)
    except feed_service.FeedError as error:
        form.file.errors = [message_for(error)]
        return _page(import_form=form, status=400)
    db.commit()
    flash(_("%(added)s feeds added, %(known)s already in the list, %(invalid)s with an unusable address.",
            added=len(report.added), known=len(report.already_known), invalid=len(report.invalid)), "success")
    return intent.done(url_for("feeds.index"))


@bp.get("/export.opml")
@staff_required
def export_opml():
    data = feed_service.export_opml(get_session(), current_app.config["PROGRAM_NAME"])
    return Response(data, mimetype="text/x-opml",
                    headers={"Content-Disposition": 'attachment; filename="relais-feeds.opml"'})
