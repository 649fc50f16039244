"""Content pages: list, write by hand, edit, archive, revision history."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import intents, templating
from ...auth import staff_required
from ...db import get_session
from ...forms.common import NETWORK_LABELS, ActionForm
from ...forms.curation import ContentForm
from ...models import Content, topic_label, utcnow
from ...services import contents, taxonomy
from ...urls import page_number
from . import bp, editor

PAGE_SIZE = 50

FIELD_LABELS = {
    "created": _l("Created"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "image_url": _l("Image address"),
    "target_url": _l("Link to share"),
    "publish_at": _l("Publish at"),
    "expires_at": _l("Expires at"),
    "highlighted": _l("Highlight of the week"),
    "archived": _l("Archived"),
    "needs": _l("Needs"),
    "topics": _l("Topics"),
    "texts": _l("Suggested texts"),
}


@bp.app_template_global()
def content_status(content: Content) -> tuple[str, str]:
    status = contents.status_of(content, utcnow())
    return status.value, str(editor.STATUS_LABELS[status])


# NAVIGATION in templating.py names this endpoint "curation.contents".
@bp.get("/contents", endpoint="contents")
@staff_required
def contents_list():
    status_arg = request.args.get("status", "")
    status = contents.Status(status_arg) if status_arg in contents.Status._value2member_map_ else None
    highlighted = request.args.get("highlighted") == "1"
    page = page_number(request.args.get("page", type=int))
    session = get_session()
    rows = contents.list_contents(session, utcnow(), status, highlighted,
                                  limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "curation/contents.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page=page,
        status=status, highlighted=highlighted, status_labels=editor.STATUS_LABELS,
        highlights=contents.current_highlights(session, utcnow()), network_labels=NETWORK_LABELS,
    )


def _content_or_404(content_id: int) -> Content:
    content = get_session().get(Content, content_id)
    if content is None:
        abort(404)
    return content


@bp.route("/contents/new", methods=["GET", "POST"])
@staff_required
def new():
    session = get_session()
    form = ContentForm()
    editor.prepare(form, session)
    now = utcnow()
    action = url_for("curation.new")
    if request.method == "GET":
        editor.fill(form, contents.ContentDraft(publish_at=now))
        return editor.render(form, session, action=action)
    draft = editor.submitted(form, session, now)
    if draft is not None:
        intent = intents.claim(session)
        if not intent.new:
            return intent.repeated(url_for("curation.contents"))
        try:
            content = contents.create_content(session, draft, current_user, now)
        except contents.ContentInvalid as error:
            editor.place(form, error.problems)
        else:
            session.commit()
            flash(_("“%(title)s” is saved (%(status)s).", title=content.title,
                    status=editor.STATUS_LABELS[contents.status_of(content, now)]), "success")
            return intent.done(url_for("curation.edit", content_id=content.id))
    return editor.render(form, session, action=action, status=400)


@bp.route("/contents/<int:content_id>", methods=["GET", "POST"])
@staff_required
def edit(content_id: int):
    session = get_session()
    content = _content_or_404(content_id)
    form = ContentForm()
    editor.prepare(form, session)
    now = utcnow()
    action = url_for("curation.edit", content_id=content.id)
    if request.method == "GET":
        editor.fill(form, contents.ContentDraft.of(content))
        return editor.render(form, session, content=content, item=content.feed_item, action=action)
    draft = editor.submitted(form, session, now, content)
    if draft is not None:
        try:
            changes = contents.update_content(session, content, draft, current_user, now)
        except contents.ContentInvalid as error:
            editor.place(form, error.problems)
        else:
            session.commit()
            if changes:
                flash(_("“%(title)s” is saved (%(status)s).", title=content.title,
                        status=editor.STATUS_LABELS[contents.status_of(content, now)]), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("curation.edit", content_id=content.id))
    return editor.render(form, session, content=content, item=content.feed_item, action=action, status=400)


@bp.post("/contents/<int:content_id>/<any(archive, unarchive):action>")
@staff_required
def archive(content_id: int, action: str):
    content = _content_or_404(content_id)
    if ActionForm().validate_on_submit():
        contents.set_archived(get_session(), content, action == "archive", current_user, utcnow())
        get_session().commit()
        if action == "archive":
            flash(_("“%(title)s” is archived: ambassadors no longer see it.", title=content.title), "success")
        else:
            flash(_("“%(title)s” is back from the archive.", title=content.title), "success")
    return redirect(url_for("curation.edit", content_id=content.id))


@bp.get("/contents/<int:content_id>/history")
@staff_required
def history(content_id: int):
    content = _content_or_404(content_id)
    language = str(get_locale())
    need_labels = {n.key: n.label(language) for n in taxonomy.list_needs(get_session())}
    entries = [(revision, [_describe(name, change[0], change[1], need_labels) for name, change in sorted(
        revision.changes.items(), key=lambda kv: list(FIELD_LABELS).index(kv[0]) if kv[0] in FIELD_LABELS else 99)])
        for revision in content.revisions]
    return render_template("curation/history.html", content=content, entries=entries)


def _describe(name: str, old: object, new: object, need_labels: dict) -> tuple[str, str, str]:
    """(field label, old value, new value) in words for the history page."""
    return str(FIELD_LABELS.get(name, name)), _show(name, old, need_labels), _show(name, new, need_labels)


def _show(name: str, value, need_labels: dict) -> str:
    if value is None or value == [] or value == {} or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in ("publish_at", "expires_at"):
        return templating.moment(datetime.fromisoformat(value))
    if name == "texts":
        return "\n".join(f"{NETWORK_LABELS.get(n, n)}: {t}" for n, texts in value.items() for t in texts)
    if name == "needs":
        return ", ".join(need_labels.get(key, key) for key in value)
    if name == "topics":  # [French, English] names; a plain name in revisions made before both existed
        language = str(get_locale())
        return ", ".join(topic_label(names[0], names[1], language) if isinstance(names, list) else str(names)
                         for names in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
