"""The ambassador kit: everyone signed in reads it, staff write it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import intents
from ..auth import staff_required
from ..db import get_session
from ..forms.common import ActionForm
from ..forms.kit import SECTION_LABELS, KitPageForm
from ..messages import message_for
from ..models import KitPage, KitSection
from ..services import kit, markdown

bp = Blueprint("kit", __name__, url_prefix="/kit")


@bp.app_template_filter("markdown")
def render_markdown(source: str) -> Markup:
    # Safe to mark: the service sanitises on an allow-list after rendering.
    return Markup(markdown.render(source))


def _language() -> str:
    return str(get_locale())


@bp.get("/")
@login_required
def index():
    pages = kit.pages_for_reader(get_session(), _language())
    sections = [(section, SECTION_LABELS[section], [p for p in pages if p.section is section])
                for section in KitSection]
    return render_template("kit/index.html", sections=[s for s in sections if s[2]], language=_language())


@bp.get("/<slug>")
@login_required
def page(slug: str):
    db = get_session()
    found = kit.page_for_reader(db, slug, _language())
    if found is None:
        abort(404)
    return render_template("kit/page.html", page=found, translated=found.language == _language(),
                           translations=kit.translations(db, slug) if current_user.is_staff else [])


@bp.get("/manage")
@staff_required
def manage():
    return render_template("kit/manage.html", pages=kit.all_pages(get_session()), section_labels=SECTION_LABELS)


def _draft(form: KitPageForm) -> kit.PageDraft:
    return kit.PageDraft(slug=form.slug.data, language=form.language.data, section=KitSection(form.section.data),
                         position=form.position.data or 0, title=form.title.data, body=form.body.data or "")


def _edit_page(form: KitPageForm, page: KitPage | None = None, status: int = 200):
    return render_template("kit/edit.html", form=form, page=page), status


def _apply_error(form: KitPageForm, error: kit.KitError) -> None:
    form.slug.errors = [*form.slug.errors, message_for(error)]


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = KitPageForm(language=_language())
    if not form.is_submitted():
        return _edit_page(form)
    if not form.validate():
        return _edit_page(form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("kit.manage"))
    try:
        created = kit.create_page(db, _draft(form), current_user)
    except kit.KitError as error:
        _apply_error(form, error)
        return _edit_page(form, status=400)
    db.commit()
    flash(_("Page “%(title)s” created.", title=created.title), "success")
    return intent.done(url_for("kit.page", slug=created.slug))


def _page_or_404(page_id: int) -> KitPage:
    found = get_session().get(KitPage, page_id)
    if found is None:
        abort(404)
    return found


@bp.route("/pages/<int:page_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(page_id: int):
    existing = _page_or_404(page_id)
    form = KitPageForm(obj=existing)
    if not form.is_submitted():
        form.section.data = existing.section.value
        return _edit_page(form, existing)
    if not form.validate():
        return _edit_page(form, existing, status=400)
    db = get_session()
    try:
        kit.update_page(db, existing, _draft(form), current_user)
    except kit.KitError as error:
        _apply_error(form, error)
        return _edit_page(form, existing, status=400)
    db.commit()
    flash(_("Page “%(title)s” saved.", title=existing.title), "success")
    return redirect(url_for("kit.manage"))


@bp.get("/pages/<int:page_id>/history")
@staff_required
def history(page_id: int):
    existing = _page_or_404(page_id)
    return render_template("kit/history.html", page=existing, revisions=kit.revisions(get_session(), existing))


@bp.post("/pages/<int:page_id>/delete")
@staff_required
def delete(page_id: int):
    existing = _page_or_404(page_id)
    if ActionForm().validate_on_submit():
        title = existing.title
        kit.delete_page(get_session(), existing)
        get_session().commit()
        flash(_("Page “%(title)s” deleted.", title=title), "success")
    return redirect(url_for("kit.manage"))
