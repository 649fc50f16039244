"""The ambassador's own pages: charter, consents, profile, their data, leaving."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy.orm import Session

from .. import intents, sign_in_limit, templating
from ..auth import own_consents, own_profile, roles_required
from ..db import get_engine, get_session
from ..emails import mail_settings
from ..forms.ambassador import CharterForm, PasswordConfirmForm, ProfileForm, TextVersionForm
from ..forms.common import NETWORK_LABELS, PURPOSE_LABELS, ActionForm
from ..messages import message_for
from ..models import AmbassadorProfile, Purpose, Role, utcnow
from ..program_clock import program_today
from ..security import forget_on_this_device
from ..services import ambassadors, consent, personal_data, personal_feed, sharing, taxonomy
from ..services.onboarding import Step
from ..urls import page_number, safe_next
from .sharing import undoable_in_this_browser

bp = Blueprint("ambassador", __name__, url_prefix="/me")
ambassador_required = roles_required(Role.AMBASSADOR)

# Pages an ambassador can reach without standing membership: their rights
# (see and take back their data, leave) never depend on accepting a charter.
OPEN_ENDPOINTS = {"ambassador.charter", "ambassador.consents", "ambassador.my_data", "ambassador.export",
                  "ambassador.erase", "ambassador.withdraw", "ambassador.left", "auth.logout",
                  "auth.set_language", "static", "digest.unsubscribe", "digest.confirm_unsubscribe",
                  "notifications.unsubscribe", "notifications.confirm_unsubscribe",
                  "devices.index", "devices.sign_out", "devices.sign_out_everywhere",
                  "api_tokens.mine", "api_tokens.revoke_mine"}
# What a lapsed ambassador (mandate ended, not renewed) may still reach.
LAPSED_ENDPOINTS = OPEN_ENDPOINTS | {"ambassador.lapsed", "ambassador.renew", "ambassador.leave"}


def _language() -> str:
    return str(get_locale())


@bp.before_app_request
def ask_for_the_charter():
    """An ambassador without membership on the current charter is asked to (re)accept it.

    Someone who left is not: they are told they left, and come back only if they choose to.
    """
    if (not current_user.is_authenticated or current_user.role != Role.AMBASSADOR
            or request.endpoint in OPEN_ENDPOINTS or request.endpoint is None):
        return None
    if ambassadors.needs_charter(current_user, own_consents()):
        own = own_profile()
        return redirect(url_for("ambassador.left" if own is not None and own.left_at is not None
                                else "ambassador.charter"))
    return None


@bp.before_app_request
def offer_renewal_after_the_mandate():
    """A lapsed ambassador is inactive until they renew: they see the offer to renew or leave, nothing else."""
    if (not current_user.is_authenticated or current_user.role != Role.AMBASSADOR
            or request.endpoint in LAPSED_ENDPOINTS or request.endpoint is None):
        return None
    own = own_profile()
    if own is not None and ambassadors.is_lapsed(own, program_today()):
        return redirect(url_for("ambassador.lapsed"))
    return None


@bp.get("/mandate-ended")
@ambassador_required
def lapsed():
    own = ambassadors.profile_of(get_session(), current_user.id)
    if own is None or not ambassadors.is_lapsed(own, program_today()):
        return redirect(url_for("main.home"))
    return render_template("ambassador/lapsed.html", profile=own, form=ActionForm())


@bp.route("/charter", methods=["GET", "POST"])
@ambassador_required
def charter():
    db = get_session()
    text = consent.current_text(db, Purpose.MEMBERSHIP, _language())
    if text is None:
        abort(404)
    form = CharterForm()
    if form.validate_on_submit():
        intent = intents.claim(db)
        if not intent.new:
            return intent.repeated(url_for("main.home"))
        shown = consent.text_by_version(db, Purpose.MEMBERSHIP, form.version.data, form.language.data)
        try:
            if shown is None:
                raise consent.ConsentError("outdated_charter")
            first_time = ambassadors.profile_of(db, current_user.id) is None
            ambassadors.accept_charter(db, current_user, shown, program_today())
        except consent.ConsentError as error:
            db.rollback()
            flash(message_for(error), "warning")
            return redirect(url_for("ambassador.charter"))
        db.commit()
        flash(_("Welcome to the program!"), "success")
        # A newcomer goes on with the guided steps; someone renewing or coming back goes home.
        return intent.done(url_for("onboarding.consents" if first_time else "main.home"))
    last = consent.latest_record(db, current_user.id, Purpose.MEMBERSHIP)
    own = ambassadors.profile_of(db, current_user.id)
    return render_template("ambassador/charter.html", text=text, form=form,
                           renewing=last is not None and last.granted,  # granted on an older charter
                           coming_back=own is not None and own.left_at is not None,
                           step=Step.CHARTER if own is None else None)


@bp.get("/consents")
@ambassador_required
def consents():
    db = get_session()
    return render_template(
        "ambassador/consents.html", states=consent.states(db, current_user, _language()),
        history=consent.history(db, current_user.id), labels=PURPOSE_LABELS, form=TextVersionForm(),
    )


def _purpose(name: str) -> Purpose:
    try:
        return Purpose(name)
    except ValueError:
        abort(404)


def _back_to(purpose: Purpose) -> str:
    """The page the decision was taken on: "My consents", or the guided step's (its form says ``next``)."""
    if request.form.get("next"):
        return safe_next(request.form["next"])
    return url_for("ambassador.consents", _anchor=f"purpose-{purpose.value}")


@bp.post("/consents/<name>/grant")
@ambassador_required
def grant(name: str):
    purpose = _purpose(name)
    if purpose == Purpose.MEMBERSHIP:
        return redirect(url_for("ambassador.charter"))
    db = get_session()
    form = TextVersionForm()
    back = _back_to(purpose)
    if form.validate_on_submit():
        intent = intents.claim(db)
        if not intent.new:
            return intent.repeated(back)
        shown = consent.text_by_version(db, purpose, form.version.data, form.language.data)
        try:
            if shown is None:
                raise consent.ConsentError("outdated_text")
            consent.grant(db, current_user, shown)
        except consent.ConsentError as error:
            db.rollback()
            flash(message_for(error), "warning")
        else:
            db.commit()
            flash(_("Thank you. You can withdraw this consent at any time, here."), "success")
    return redirect(back)


@bp.post("/consents/<name>/withdraw")
@ambassador_required
def withdraw(name: str):
    purpose = _purpose(name)
    if purpose == Purpose.MEMBERSHIP:
        return redirect(url_for("ambassador.leave"))
    db = get_session()
    back = _back_to(purpose)
    if ActionForm().validate_on_submit():
        intent = intents.claim(db)
        if not intent.new:
            return intent.repeated(back)
        consent.withdraw(db, current_user.id, purpose)
        db.commit()
        flash(_("Consent withdrawn. It took effect immediately."), "success")
    return redirect(back)


def profile_form(db: Session, own: AmbassadorProfile, form_class: type[ProfileForm] = ProfileForm) -> ProfileForm:
    """The profile form with its choices, filled from the profile on a GET (also the "about you" step's)."""
    form = form_class()
    if "department" in form:
        form.department.choices = [(0, _("None"))] + [(d.id, d.name) for d in ambassadors.departments(db)]
    form.needs.choices = [(need.id, need.label(_language())) for need in taxonomy.list_needs(db)]
    form.topics.choices = [(topic.id, topic.label(_language())) for topic in taxonomy.list_topics(db, _language())]
    if request.method == "GET":
        form.needs.data = ambassadors.chosen_need_ids(db, current_user.id)
        form.topics.data = ambassadors.chosen_topic_ids(db, current_user.id)
        form.networks.data = list(own.networks or [])
        form.mastodon_instance.data = own.mastodon_instance
        form.language.data = current_user.language or _language()
        if "department" in form:
            form.department.data = own.department_id or 0
            form.paused_until.data = own.paused_until
    return form


def save_profile(db: Session, form: ProfileForm, own: AmbassadorProfile) -> bool:
    """Save a valid profile form; on a refusal the error goes beside its field and nothing is saved."""
    whole = "department" in form  # the "about you" step leaves department and pause as they are
    changes = ambassadors.ProfileChanges(
        networks=form.networks.data or [], mastodon_instance=form.mastodon_instance.data,
        department_id=(form.department.data or None) if whole else own.department_id,
        language=form.language.data, paused_until=form.paused_until.data if whole else own.paused_until,
        need_ids=form.needs.data or [], topic_ids=form.topics.data or [],
    )
    try:
        ambassadors.update_profile(db, current_user, changes, program_today())
    except ambassadors.ProfileError as error:
        db.rollback()
        if error.field and error.field in form:
            form[error.field].errors = [message_for(error)]
        else:
            flash(message_for(error), "error")
        return False
    return True


@bp.route("/profile", methods=["GET", "POST"])
@ambassador_required
def profile():
    db = get_session()
    own = ambassadors.profile_of(db, current_user.id)
    if own is None:
        return redirect(url_for("ambassador.charter"))
    form = profile_form(db, own)
    if form.validate_on_submit() and save_profile(db, form, own):
        db.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("ambassador.profile"))
    page = render_template("ambassador/profile.html", form=form, profile=own,
                           renewal_open=ambassadors.renewal_open(own, program_today()))
    return page, 400 if form.errors else 200


@bp.post("/feed/<int:content_id>/dismiss")
@ambassador_required
def dismiss(content_id: int):
    db = get_session()
    if ActionForm().validate_on_submit():
        if not personal_feed.dismiss(db, current_user.id, content_id, utcnow()):
            abort(404)
        db.commit()
        flash(_("Hidden from your suggestions."), "info")
        return redirect(url_for("main.home", hidden=content_id))  # the feed then offers to undo it
    return redirect(url_for("main.home"))


@bp.post("/feed/<int:content_id>/restore")
@ambassador_required
def restore(content_id: int):
    db = get_session()
    if ActionForm().validate_on_submit():
        personal_feed.restore(db, current_user.id, content_id)
        db.commit()
        flash(_("Back in your suggestions."), "success")
    return redirect(url_for("main.home"))


@bp.post("/renew")
@ambassador_required
def renew():
    db = get_session()
    if ActionForm().validate_on_submit():
        try:
            own = ambassadors.renew(db, current_user, program_today())
        except ambassadors.ProfileError as error:
            flash(message_for(error), "warning")
        else:
            db.commit()
            flash(_("Thank you for staying! Your mandate now runs until %(day)s.",
                    day=templating.day(own.mandate_ends_on)), "success")
    return redirect(url_for("ambassador.profile"))


@bp.route("/leave", methods=["GET", "POST"])
@ambassador_required
def leave():
    db = get_session()
    form = ActionForm()
    if form.validate_on_submit():
        ambassadors.leave(db, current_user)
        db.commit()
        flash(_("You have left the program. Thank you for everything you shared."), "success")
        return redirect(url_for("ambassador.left"))
    return render_template("ambassador/leave.html", form=form, erase_form=PasswordConfirmForm())


@bp.get("/left")
@ambassador_required
def left():
    """What leaving means, what was kept, how to come back: every page leads here after leaving."""
    own = own_profile()
    if own is None or own.left_at is None:
        return redirect(url_for("main.home"))
    return render_template("ambassador/left.html", profile=own)


@bp.get("/shares")
@ambassador_required
def my_shares():
    """The person's own shares, for them alone: their history with the share-attribution consent,
    and the anonymous shares this browser made in the last 24 hours (anonymous ones keep no history)."""
    db = get_session()
    now = utcnow()
    attributed = Purpose.SHARE_ATTRIBUTION in own_consents()
    number = page_number(request.args.get("page", type=int))
    return render_template(
        "ambassador/shares.html", attributed=attributed, network_labels=NETWORK_LABELS, form=ActionForm(),
        history=sharing.share_history(db, current_user.id, now, number) if attributed else None,
        rows=sharing.my_shares_by_month(db, current_user.id) if attributed and number == 1 else [],
        from_this_browser=sharing.anonymous_shares_among(db, undoable_in_this_browser(), now))


@bp.get("/data")
@login_required
def my_data():
    return render_template("ambassador/data.html", erase_form=PasswordConfirmForm())


@bp.get("/data/export.json")
@login_required
def export():
    data = personal_data.export(get_session(), current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="relais-my-data.json"',
                             "Cache-Control": "no-store"})


@bp.post("/data/erase")
@login_required
def erase():
    db = get_session()
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        email = current_user.email
        try:
            personal_data.erase(db, current_user._get_current_object(), form.password.data)
        except personal_data.ErasureError as error:
            db.rollback()
            if error.field:
                getattr(form, error.field).errors = [message_for(error)]
            else:
                flash(message_for(error), "error")
        else:
            db.commit()
            personal_data.remove_traces(get_engine(), mail_settings().outbox, email)
            logout_user()
            session.clear()
            flash(_("Your account and your personal data are erased. Goodbye, and thank you."), "success")
            response = forget_on_this_device(redirect(url_for("auth.login")))
            sign_in_limit.forget_device(response)
            return response
    return render_template("ambassador/data.html", erase_form=form), 400
