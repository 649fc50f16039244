"""Admin pages: the charter and consent texts (versioned), and departments."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import intents
from ..auth import admin_required, staff_required
from ..db import get_session
from ..forms.common import PURPOSE_LABELS, ActionForm
from ..forms.program_admin import DepartmentForm, TextsForm
from ..models import Department, Purpose
from ..program_clock import program_today
from ..services import consent, renewals
from ..services import coverage as coverage_service

bp = Blueprint("program_admin", __name__, url_prefix="/admin/program")


def _texts_page(forms: dict[Purpose, TextsForm], status: int = 200):
    db = get_session()
    current = {p: {lang: consent.current_text(db, p, lang) for lang in ("fr", "en")} for p in Purpose}
    return render_template("program_admin/texts.html", forms=forms, current=current,
                           labels=PURPOSE_LABELS), status


def _prefilled(purpose: Purpose) -> TextsForm:
    db = get_session()
    fr, en = (consent.current_text(db, purpose, lang) for lang in ("fr", "en"))
    return TextsForm(
        formdata=None, prefix=purpose.value,
        title_fr=fr.title if fr else "", body_fr=fr.body if fr else "",
        title_en=en.title if en else "", body_en=en.body if en else "",
        mandate_months=fr.mandate_months if fr else None,
    )


@bp.get("/texts")
@admin_required
def texts():
    return _texts_page({p: _prefilled(p) for p in Purpose})


@bp.post("/texts/<name>")
@admin_required
def publish(name: str):
    try:
        purpose = Purpose(name)
    except ValueError:
        abort(404)
    form = TextsForm(prefix=purpose.value)
    if not form.validate_on_submit():
        forms = {p: _prefilled(p) for p in Purpose}
        forms[purpose] = form
        return _texts_page(forms, 400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:  # a repeat would publish the same text as one more version
        return intent.repeated(url_for("program_admin.texts"))
    version = consent.publish_texts(
        db, purpose,
        {"fr": (form.title_fr.data, form.body_fr.data), "en": (form.title_en.data, form.body_en.data)},
        author=current_user,
        mandate_months=form.mandate_months.data if purpose == Purpose.MEMBERSHIP else None,
    )
    db.commit()
    if purpose == Purpose.MEMBERSHIP:
        flash(_("Charter version %(version)s published: ambassadors will be asked to accept it at their next visit.",
                version=version), "success")
    else:
        flash(_("Version %(version)s published. Consents given on older versions no longer count until renewed.",
                version=version), "success")
    return intent.done(url_for("program_admin.texts"))


@bp.route("/departments", methods=["GET", "POST"])
@admin_required
def departments():
    db = get_session()
    form = DepartmentForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            intent = intents.claim(db)
            if not intent.new:
                return intent.repeated(url_for("program_admin.departments"))
            try:
                coverage_service.add_department(db, form.name.data, form.headcount.data)
                db.commit()
            except (coverage_service.DepartmentExists, IntegrityError):  # IntegrityError: two admins at once
                db.rollback()
                form.name.errors = [_("This department already exists.")]
                status = 400
            else:
                flash(_("Department added."), "success")
                return intent.done(url_for("program_admin.departments"))
        else:
            status = 400
    rows = db.query(Department).order_by(Department.name).all()
    return render_template("program_admin/departments.html", form=form, departments=rows), status


@bp.post("/departments/<int:department_id>/delete")
@admin_required
def delete_department(department_id: int):
    db = get_session()
    department = db.get(Department, department_id)
    if department is None:
        abort(404)
    if ActionForm().validate_on_submit():
        db.delete(department)
        db.commit()
        flash(_("Department deleted."), "success")
    return redirect(url_for("program_admin.departments"))


@bp.get("/coverage")
@staff_required
def coverage():
    k = current_app.config["MIN_GROUP_SIZE"]
    db, today = get_session(), program_today()
    rows = coverage_service.coverage(db, k, today)
    return render_template("program_admin/coverage.html", rows=rows, k=k,
                           low=coverage_service.GUIDE_LOW, high=coverage_service.GUIDE_HIGH,
                           renewals=renewals.renewals_due(db, today, k))
