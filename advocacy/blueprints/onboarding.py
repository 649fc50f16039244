"""The guided first steps after the charter: consents, then "about you", then the feed.

The steps reuse the pages' own forms and routes: a consent is granted by
``ambassador.grant`` (told to come back here), "about you" is the profile
form without department and pause. Where a person resumes is derived from
their data (services/onboarding.py).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import own_consents, roles_required
from ..db import get_session
from ..forms.ambassador import AboutYouForm, TextVersionForm
from ..forms.common import PURPOSE_LABELS, ActionForm
from ..models import Purpose, Role
from ..services import ambassadors, clock, consent, onboarding
from ..services.onboarding import Step
from .ambassador import profile_form, save_profile

bp = Blueprint("onboarding", __name__, url_prefix="/welcome")
ambassador_required = roles_required(Role.AMBASSADOR)
STEP_ENDPOINTS = {Step.CHARTER: "ambassador.charter", Step.CONSENTS: "onboarding.consents",
                  Step.ABOUT: "onboarding.about", Step.DONE: "main.home"}


@bp.before_app_request
def resume_the_first_steps():
    """Someone who stopped halfway and opens the app again lands on the step they were at."""
    if (request.endpoint != "main.home" or not current_user.is_authenticated
            or current_user.role != Role.AMBASSADOR):
        return None
    step = onboarding.current_step(get_session(), current_user, own_consents())
    if step in (Step.CONSENTS, Step.ABOUT):
        return redirect(url_for(STEP_ENDPOINTS[step]))
    return None


def _not_onboarding():
    """Before the charter, or once the steps are over, the step pages lead where the person belongs."""
    step = onboarding.current_step(get_session(), current_user, own_consents())
    if step in (Step.CHARTER, Step.DONE):
        return redirect(url_for(STEP_ENDPOINTS[step]))
    return None


@bp.get("/")
@ambassador_required
def resume():
    step = onboarding.current_step(get_session(), current_user, own_consents())
    return redirect(url_for(STEP_ENDPOINTS[step]))


@bp.get("/consents")
@ambassador_required
def consents():
    elsewhere = _not_onboarding()
    if elsewhere is not None:
        return elsewhere
    db = get_session()
    states = [state for state in consent.states(db, current_user, _language())
              if state.purpose != Purpose.MEMBERSHIP]
    return render_template("onboarding/consents.html", states=states, labels=PURPOSE_LABELS,
                           form=TextVersionForm(), step=Step.CONSENTS,
                           any_given=any(state.granted for state in states))


@bp.route("/about", methods=["GET", "POST"])
@ambassador_required
def about():
    elsewhere = _not_onboarding()
    if elsewhere is not None:
        return elsewhere
    db = get_session()
    own = ambassadors.profile_of(db, current_user.id)
    assert own is not None  # past the charter (_not_onboarding), so the profile exists
    form = profile_form(db, own, AboutYouForm)
    if form.validate_on_submit() and save_profile(db, form, own):
        onboarding.finish(db, current_user.id, clock.now())
        db.commit()
        return _welcome()
    page = render_template("onboarding/about.html", form=form, step=Step.ABOUT, skip_form=ActionForm())
    return page, 400 if form.errors else 200


@bp.post("/skip")
@ambassador_required
def skip():
    """"Skip for now" on "about you": the steps are over; every choice stays open on the profile page."""
    db = get_session()
    if ActionForm().validate_on_submit() and onboarding.finish(db, current_user.id, clock.now()):
        db.commit()
        return _welcome()
    return redirect(url_for("onboarding.resume"))


def _welcome():
    flash(_("Welcome! Here are the posts suggested for you. Share the ones that serve you, when it suits you."),
          "success")
    return redirect(url_for("main.home"))


def _language() -> str:
    return str(get_locale())
