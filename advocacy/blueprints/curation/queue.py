"""The queue: filter, preview, approve (opens the editor), skip, restore."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from ... import kept_html
from ...auth import staff_required
from ...db import get_session
from ...forms.curation import ContentForm, QueueFilterForm, SkipForm
from ...models import Content, Feed, FeedItem, ItemStatus, utcnow
from ...program_clock import program_zone
from ...services import contents
from ...services import queue as queue_service
from ...services.clock import day_end, day_start
from ...templating import csrf_token
from ...urls import current_path, safe_next
from . import bp, editor


def _filters(form: QueueFilterForm, feeds: list[Feed]) -> queue_service.QueueFilter:
    form.feed.choices = [SelectChoice("", _("All feeds"))] + [
        SelectChoice(str(feed.id), feed.display_title) for feed in feeds]
    form.validate()
    # A field that does not validate is ignored rather than failing the page.
    ok = lambda f: not f.errors  # noqa: E731
    return queue_service.QueueFilter(
        status=ItemStatus(form.status.data) if ok(form.status) and form.status.data else ItemStatus.NEW,
        feed_id=int(form.feed.data) if ok(form.feed) and form.feed.data else None,
        since=day_start(form.since.data, program_zone()) if ok(form.since) else None,
        until=day_end(form.until.data, program_zone()) if ok(form.until) else None,
        search=(form.q.data or "") if ok(form.q) else "",
    )


@bp.get("/queue")
@staff_required
def queue():
    session = get_session()
    form = QueueFilterForm(request.args)
    # Held until the page is made: the session keeps loaded rows only while something refers to them.
    feeds = list(session.scalars(select(Feed).order_by(func.lower(Feed.title), Feed.id)))
    filters = _filters(form, feeds)
    # Every feed is in the session (the filter's choices): the items find theirs there, without a statement.
    page = queue_service.queue_page(session, filters, queue_service.Cursor.decode(request.args.get("after")),
                                    load_feeds=False)
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    next_url = url_for("curation.queue", **args, after=page.next_cursor.encode()) if page.next_cursor else None
    return render_template(
        "curation/queue.html", form=form, page=page, filters=filters, next_url=next_url,
        first_url=url_for("curation.queue", **args) if "after" in request.args else None,
        next_path=current_path(), queue_row=_row_maker(filters.status == ItemStatus.SKIPPED, current_path()),
        filter_form=lambda: _filter_form(form, feeds),
    )


def _filter_form(form: QueueFilterForm, feeds: list[Feed]):
    """The filters, from the process's kept pieces: the same few forms are asked for again and again
    (five fields through the form macro were a quarter of the page)."""
    key = (*(tuple(request.args.getlist(name)) for name in form.data),
           *((feed.id, feed.display_title) for feed in feeds))
    return kept_html.render("curation/_queue_filters.html", key, csrf_token(), lambda: {"form": form})


def _row_maker(skipped: bool, next_path: str):
    """``queue_row(item)`` for the template: the item's row from the process's kept parts (rendering
    rows was three quarters of the page), rendered on a miss. The key holds every value the row shows,
    so an edited item or a renamed feed shows at once."""
    # What a row shows besides the item: dates' zone and conventions (kept_html adds the language and root).
    setting = (current_app.config["TIMEZONE"], str(current_app.config["DATE_LOCALES"]))
    token, values = csrf_token(), {"next": next_path}

    def queue_row(item: FeedItem):
        key = (*setting, skipped, item.id, item.title, item.feed.display_title, item.published_at,
               tuple(item.categories or ()), item.excerpt, item.summary_html, item.link, item.image_sha256,
               item.skip_reason if skipped else None)
        return kept_html.render("curation/_queue_row.html", key, token, lambda: {
            "item": item, "skipped": skipped, "csrf": kept_html.csrf_mark(), "next_path": kept_html.marker("next")},
            values)

    return queue_row


def _back_to_queue(form: SkipForm):
    return redirect(safe_next(form.next.data, "curation.queue"))


@bp.post("/queue/skip")
@staff_required
def skip():
    form = SkipForm()
    ids = request.form.getlist("item", type=int)
    if not form.validate_on_submit():
        flash(_("The reason is too long."), "error")
    elif not ids:
        flash(_("Select at least one item."), "error")
    else:
        count = queue_service.skip(get_session(), ids, form.reason.data, utcnow())
        get_session().commit()
        flash(ngettext("%(num)s item skipped. Find it under “Skipped” to restore it.",
                       "%(num)s items skipped. Find them under “Skipped” to restore them.", count), "success")
    return _back_to_queue(form)


@bp.post("/queue/restore")
@staff_required
def restore():
    form = SkipForm()
    ids = request.form.getlist("item", type=int)
    if form.validate_on_submit() and ids:
        count = queue_service.restore(get_session(), ids)
        get_session().commit()
        flash(ngettext("%(num)s item is back in the queue.", "%(num)s items are back in the queue.", count),
              "success")
    return _back_to_queue(form)


def _content_of(session, item: FeedItem) -> Content | None:
    return session.scalar(select(Content).where(Content.feed_item_id == item.id).order_by(Content.id).limit(1))


def _already_approved(content: Content | None):
    flash(_("This item was already approved; here is its content."), "info")
    if content is None:  # approved, then its content deleted: nothing to show
        return redirect(url_for("curation.queue"))
    return redirect(url_for("curation.edit", content_id=content.id))


@bp.route("/queue/<int:item_id>/approve", methods=["GET", "POST"])
@staff_required
def approve(item_id: int):
    session = get_session()
    item = session.get(FeedItem, item_id)
    if item is None:
        abort(404)
    if item.status == ItemStatus.APPROVED and (existing := _content_of(session, item)) is not None:
        return _already_approved(existing)
    form = ContentForm()
    editor.prepare(form, session)
    now = utcnow()
    action = url_for("curation.approve", item_id=item.id)
    if request.method == "GET":
        editor.fill(form, queue_service.draft_from_item(session, item, now))
        return editor.render(form, session, item=item, action=action)
    draft = editor.submitted(form, session, now, item=item)
    if draft is not None:
        try:
            content = contents.create_content(session, draft, current_user, now, feed_item=item)
        except contents.ContentInvalid as error:
            editor.place(form, error.problems)
        except contents.AlreadyApproved:
            session.rollback()
            return _already_approved(_content_of(session, item))
        else:
            session.commit()
            flash(_("“%(title)s” is saved (%(status)s).", title=content.title,
                    status=editor.STATUS_LABELS[contents.status_of(content, now)]), "success")
            return redirect(url_for("curation.queue"))
    return editor.render(form, session, item=item, action=action, status=400)
