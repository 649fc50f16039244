"""Pulse surveys: ambassadors answer once, everyone sees thresholded results, staff build them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import intents
from ..auth import roles_required, staff_required
from ..db import get_session
from ..forms.common import ActionForm
from ..forms.surveys import QUESTION_TYPE_LABELS, QuestionForm, SurveyForm, TemplateSurveyForm
from ..messages import message_for
from ..models import QuestionType, Role, Survey, SurveyQuestion
from ..program_clock import program_today
from ..services import survey_pool, surveys

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.app_context_processor
def helpers():
    return {"survey_is_open": lambda survey: surveys.is_open(survey, program_today()),
            "survey_is_over": lambda survey: surveys.is_over(survey, program_today()),
            "question_type_labels": QUESTION_TYPE_LABELS}


def _k() -> int:
    return int(current_app.config["MIN_GROUP_SIZE"])


def _pool_key() -> bytes:
    return survey_pool.pool_key(current_app.config["SECRET_KEY"])


def _survey_or_404(survey_id: int) -> Survey:
    survey = get_session().get(Survey, survey_id)
    if survey is None:
        abort(404)
    return survey


def _published_survey_or_404(survey_id: int) -> Survey:
    """A survey still to come is the team's draft: ambassadors do not see its questions."""
    survey = _survey_or_404(survey_id)
    if survey.opens_on > program_today() and not current_user.is_staff:
        abort(404)
    return survey


@bp.get("/")
@login_required
def index():
    db = get_session()
    listed = surveys.visible_to_ambassadors(db, program_today())
    answered = {s.id for s in listed if surveys.has_answered(db, s, current_user)}
    return render_template("surveys/index.html", surveys=listed, answered=answered)


def _answer_page(survey: Survey, answer_errors: dict[int, surveys.AnswerError] | None = None,
                 values: dict | None = None, status: int = 200):
    errors = {qid: message_for(error) for qid, error in (answer_errors or {}).items()}
    return render_template("surveys/answer.html", survey=survey, errors=errors, values=values or {},
                           answered=surveys.has_answered(get_session(), survey, current_user),
                           scale=list(surveys.SCALE)), status


@bp.get("/<int:survey_id>")
@login_required
def show(survey_id: int):
    return _answer_page(_published_survey_or_404(survey_id))


def _raw_answers(survey: Survey) -> dict[int, object]:
    raw: dict[int, object] = {}
    for question in survey.questions:
        name = f"q-{question.id}"
        raw[question.id] = (request.form.getlist(name) if question.kind is QuestionType.MULTIPLE
                            else request.form.get(name, ""))
    return raw


@bp.post("/<int:survey_id>")
# Only ambassadors answer: the results speak for the network, not the team.
@roles_required(Role.AMBASSADOR)
def answer(survey_id: int):
    survey = _survey_or_404(survey_id)
    if not ActionForm().validate_on_submit():
        return _answer_page(survey, status=400)
    db = get_session()
    raw = _raw_answers(survey)
    try:
        surveys.submit(db, survey, current_user, raw, today=program_today(), pool_key=_pool_key())
        db.commit()
    except surveys.InvalidAnswers as error:
        return _answer_page(survey, error.answers, raw, status=400)
    except surveys.SurveyError as error:  # closed, or already answered
        flash(message_for(error), "error")
        return redirect(url_for("surveys.show", survey_id=survey.id)), 303
    except IntegrityError:
        # Two submissions at once: the unique (survey, user) key kept only one.
        db.rollback()
        flash(_("You have already answered this survey."), "error")
        return redirect(url_for("surveys.show", survey_id=survey.id)), 303
    flash(_("Thank you! Your answers were recorded without your name."), "success")
    return redirect(url_for("surveys.index"))


@bp.get("/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    survey = _published_survey_or_404(survey_id)
    return render_template("surveys/results.html", survey=survey,
                           results=surveys.results(get_session(), survey, _k(), program_today(), _pool_key()))


# --- staff ---------------------------------------------------------------------

def _manage_page(form: SurveyForm | None = None, template_form: TemplateSurveyForm | None = None,
                 status: int = 200):
    return render_template("surveys/manage.html", surveys=surveys.all_surveys(get_session()),
                           form=form or SurveyForm(),
                           template_form=template_form or TemplateSurveyForm(language=str(get_locale()))), status


@bp.get("/manage")
@staff_required
def manage():
    return _manage_page()


def _draft(form: SurveyForm) -> surveys.SurveyDraft:
    return surveys.SurveyDraft(form.title.data, form.intro.data or "", form.opens_on.data, form.closes_on.data)


@bp.post("/new")
@staff_required
def create():
    form = SurveyForm()
    if not form.validate_on_submit():
        return _manage_page(form=form, status=400)
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("surveys.manage"))
    survey = surveys.create_survey(get_session(), _draft(form))
    get_session().commit()
    flash(_("Survey created. Now add its questions."), "success")
    return intent.done(url_for("surveys.edit", survey_id=survey.id))


@bp.post("/from-template")
@staff_required
def create_from_template():
    form = TemplateSurveyForm()
    if not form.validate_on_submit():
        return _manage_page(template_form=form, status=400)
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("surveys.manage"))
    survey = surveys.create_from_template(get_session(), "quarterly", form.language.data,
                                          form.opens_on.data, form.closes_on.data)
    get_session().commit()
    flash(_("Survey created from the quarterly template. Adjust it as you like."), "success")
    return intent.done(url_for("surveys.edit", survey_id=survey.id))


def _edit_page(survey: Survey, form: SurveyForm | None = None, question_form: QuestionForm | None = None,
               status: int = 200):
    return render_template("surveys/edit.html", survey=survey, form=form or SurveyForm(obj=survey),
                           question_form=question_form or QuestionForm()), status


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(survey_id: int):
    survey = _survey_or_404(survey_id)
    if request.method == "GET":
        return _edit_page(survey)
    form = SurveyForm()
    if not form.validate_on_submit():
        return _edit_page(survey, form=form, status=400)
    try:
        surveys.update_survey(get_session(), survey, _draft(form), program_today())
    except surveys.SurveyError as error:
        form.closes_on.errors = [message_for(error)]
        return _edit_page(survey, form=form, status=400)
    get_session().commit()
    flash(_("Survey saved."), "success")
    return redirect(url_for("surveys.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/questions")
@staff_required
def add_question(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _edit_page(survey, question_form=form, status=400)
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("surveys.edit", survey_id=survey.id))
    try:
        surveys.add_question(get_session(), survey, QuestionType(form.kind.data), form.text.data,
                             form.option_list(), required=bool(form.required.data))
    except surveys.SurveyError as error:
        form.text.errors = [message_for(error)]
        return _edit_page(survey, question_form=form, status=400)
    get_session().commit()
    return intent.done(url_for("surveys.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@staff_required
def delete_question(survey_id: int, question_id: int):
    question = get_session().get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey_id:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            surveys.delete_question(get_session(), question)
        except surveys.SurveyError as error:
            flash(message_for(error), "error")
        else:
            get_session().commit()
    return redirect(url_for("surveys.edit", survey_id=survey_id))


@bp.post("/<int:survey_id>/close")
@staff_required
def close(survey_id: int):
    survey = _survey_or_404(survey_id)
    if ActionForm().validate_on_submit():
        surveys.close_now(survey)
        get_session().commit()
        flash(_("The survey is closed."), "success")
    return redirect(url_for("surveys.manage"))
