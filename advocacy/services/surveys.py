"""Pulse surveys: anonymous answers, one per person, results for everyone once k answered.

How "answered once" and "anonymous" hold together:
- ``survey_participations`` says *that* someone answered (survey, user; no
  time), ``survey_responses``/``survey_answers`` say *what* was answered
  (random key, the day only). Nothing joins the two.
- Keys of responses are random, participations have no surrogate key, and on
  SQLite both are WITHOUT ROWID tables stored in key order, so neither id
  order nor storage order follows the order of arrival.
- Below the schema: the participation is written with the answers *sealed*
  (``survey_pool.hold``), in one transaction; the answers become responses
  only once the survey is over, all of them in one shuffled batch
  (``release_finished``, a scheduled job), so no transaction id, row order
  or day pairs a response with a participation. Until then results, shown
  only after the end anyway, open the sealed ones in memory.

Opening and closing days are the program's days (``clock.program_today``),
as curators type them; a response is kept under the UTC day its batch was
counted on.

Results are shown to everyone, staff or not, only when the survey is over
and enough people answered (``anonymity.enough``: at least k, MIN_GROUP_SIZE),
and each question only if enough people answered it. Waiting for the end
means nobody can watch results move and tell what the person who just
answered said.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import (
    QuestionType,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyPendingResponse,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from . import anonymity, clock, notifications, personal_data, survey_pool, survey_templates
from .errors import ServiceError

SCALE = range(1, 6)
MAX_TEXT = 2000


class SurveyError(ServiceError):
    area = "surveys"


class AnswerError(ServiceError):
    """Why one answer is refused; not raised alone, InvalidAnswers carries them."""

    area = "survey_answers"


class InvalidAnswers(SurveyError):
    """Some answers cannot be recorded; ``answers`` maps each question id to why."""

    def __init__(self, answers: dict[int, AnswerError]) -> None:
        super().__init__("invalid")
        self.answers = answers


@dataclass(frozen=True)
class SurveyDraft:
    title: str
    intro: str
    opens_on: date
    closes_on: date


# --- building surveys ----------------------------------------------------------

def _check_dates(draft: SurveyDraft) -> None:
    if draft.closes_on < draft.opens_on:
        raise SurveyError("closes_before_opens")


def create_survey(session: Session, draft: SurveyDraft) -> Survey:
    _check_dates(draft)
    survey = Survey(title=draft.title.strip(), intro=draft.intro.strip(),
                    opens_on=draft.opens_on, closes_on=draft.closes_on)
    session.add(survey)
    session.flush()
    return survey


def create_from_template(session: Session, name: str, language: str, opens_on: date,
                         closes_on: date) -> Survey:
    texts = survey_templates.localised(survey_templates.TEMPLATES[name], language)
    survey = create_survey(session, SurveyDraft(texts["title"], texts["intro"], opens_on, closes_on))
    for question in texts["questions"]:
        add_question(session, survey, question["kind"], question["text"], question["options"],
                     required=question["required"])
    return survey


def update_survey(session: Session, survey: Survey, draft: SurveyDraft, today: date) -> None:
    _check_dates(draft)
    if is_over(survey, today) and (draft.opens_on, draft.closes_on) != (survey.opens_on, survey.closes_on):
        # Reopening after results were shown would let one more answer be read
        # as the difference between two sets of results.
        raise SurveyError("over")
    survey.title, survey.intro = draft.title.strip(), draft.intro.strip()
    survey.opens_on, survey.closes_on = draft.opens_on, draft.closes_on


def response_count(session: Session, survey: Survey) -> int:
    """Every response, counted or still sealed."""
    counted = session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == survey.id)) or 0
    return counted + survey_pool.pending_count(session, survey.id)


def _editable(session: Session, survey: Survey) -> None:
    # Changing questions once people answered would mix answers to different questions.
    if response_count(session, survey):
        raise SurveyError("has_answers")


def add_question(session: Session, survey: Survey, kind: QuestionType, text: str,
                 options: list[str], *, required: bool = False) -> SurveyQuestion:
    _editable(session, survey)
    options = [o.strip() for o in options if o.strip()]
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(options) < 2:
        raise SurveyError("needs_options")
    if kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = []
    position = max((q.position for q in survey.questions), default=0) + 1
    question = SurveyQuestion(survey=survey, kind=kind, text=text.strip(), options=options,
                              required=required, position=position)
    session.add(question)
    session.flush()
    return question


def delete_question(session: Session, question: SurveyQuestion) -> None:
    _editable(session, question.survey)
    question.survey.questions.remove(question)
    session.delete(question)


def close_now(survey: Survey) -> None:
    survey.closed_early = True


def is_open(survey: Survey, on: date) -> bool:
    """Open on the program's day ``on``: from its opening day to its closing day, both included."""
    return not survey.closed_early and survey.opens_on <= on <= survey.closes_on


def is_over(survey: Survey, on: date) -> bool:
    return survey.closed_early or on > survey.closes_on


def all_surveys(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.opens_on.desc(), Survey.id.desc())))


def visible_to_ambassadors(session: Session, on: date) -> list[Survey]:
    """Open surveys and finished ones (for their results); not those still to come."""
    return [s for s in all_surveys(session) if s.opens_on <= on and s.questions]


# --- answering -----------------------------------------------------------------

def has_answered(session: Session, survey: Survey, user: User) -> bool:
    return session.get(SurveyParticipation, (survey.id, user.id)) is not None


def _parse(question: SurveyQuestion, raw) -> tuple[dict | None, AnswerError | None]:
    """The stored form of one answer, or why it is refused. None, None = left blank."""
    values = [v for v in (raw if isinstance(raw, list) else [raw]) if v not in (None, "")]
    if not values:
        return None, (AnswerError("required") if question.required else None)
    try:
        if question.kind is QuestionType.TEXT:
            text = str(values[0]).strip()
            if len(text) > MAX_TEXT:
                return None, AnswerError("too_long", max=MAX_TEXT)
            if question.required and not text:
                return None, AnswerError("required")
            return ({"text": text} if text else None), None
        numbers = sorted({int(v) for v in values})
    except ValueError:
        return None, AnswerError("invalid")
    if question.kind is QuestionType.SCALE:
        if len(numbers) == 1 and numbers[0] in SCALE:
            return {"number": numbers[0]}, None
        return None, AnswerError("invalid")
    if not all(0 <= n < len(question.options) for n in numbers):
        return None, AnswerError("invalid")
    if question.kind is QuestionType.SINGLE:
        return ({"number": numbers[0]}, None) if len(numbers) == 1 else (None, AnswerError("invalid"))
    return {"choices": numbers}, None


def _sealed_size(survey: Survey) -> int:
    """The most bytes one person's answers to this survey take as JSON: every sealed response is that long."""
    size = survey_pool.LENGTH.size + 2
    for question in survey.questions:
        size += 64  # the question id, the value's name, quotes and punctuation
        if question.kind is QuestionType.TEXT:
            size += 6 * MAX_TEXT  # the longest a character gets in JSON is \u001f
        elif question.kind is QuestionType.MULTIPLE:
            size += 8 * len(question.options)
    return size


def submit(session: Session, survey: Survey, user: User, raw_answers: dict[int, object], *,
           today: date, pool_key: bytes) -> None:
    """Record one person's answers, anonymously. InvalidAnswers says which answers are refused.

    ``today`` is the program's day (is the survey open?). The answers are
    sealed with ``pool_key`` (``survey_pool.pool_key``) until the survey is over.
    """
    # Re-read the survey's dates under a shared lock held until commit: a
    # close, and the batch that counts a finished survey, wait for this
    # answer, which thus never arrives after its survey's batch.
    session.refresh(survey, ["opens_on", "closes_on", "closed_early"], with_for_update={"read": True})
    if not is_open(survey, today):
        raise SurveyError("closed")
    if has_answered(session, survey, user):
        raise SurveyError("already_answered")
    parsed, errors = {}, {}
    for question in survey.questions:
        value, error = _parse(question, raw_answers.get(question.id))
        if error is not None:
            errors[question.id] = error
        elif value is not None:
            parsed[question.id] = value
    if errors:
        raise InvalidAnswers(errors)
    session.add(SurveyParticipation(survey_id=survey.id, user_id=user.id))
    # The unique key (survey, user) refuses a second answer sent at the same time.
    session.flush()
    survey_pool.hold(session, pool_key, survey.id, parsed, _sealed_size(survey))
    session.flush()


def release_finished(session: Session, pool_key: bytes, *, today: date, counted_on: date, k: int) -> int:
    """Count the sealed answers of the surveys that are over, each survey's in one batch; how many.

    ``today`` is the program's day. A survey that closed by its dates waits
    one more day, so that no answer still in flight from its last day (the
    day was read when that request began) comes after the batch; one closed
    early is counted at once (its close waited for answers in flight).
    """
    waiting = session.scalars(select(Survey).where(
        Survey.id.in_(select(SurveyPendingResponse.survey_id).distinct())).order_by(Survey.id))
    counted = 0
    for survey in list(waiting):
        if is_over(survey, today - timedelta(days=1)):
            counted += survey_pool.release(session, pool_key, survey, counted_on, k)
            if anonymity.enough(response_count(session, survey), k):  # its results are shown from now
                notifications.survey_results_published(session, survey, today, clock.now())
    return counted


# --- results -------------------------------------------------------------------

@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int
    shown: bool
    mean: float | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)  # (label, count)
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    k: int
    shown: bool
    questions: list[QuestionResult] = field(default_factory=list)


def results(session: Session, survey: Survey, k: int, on: date, pool_key: bytes) -> SurveyResults:
    """Aggregates, or nothing at all (not even counts) below the threshold or before the end.

    Every answer counts: those not yet counted by ``release_finished`` are
    opened in memory with ``pool_key``.
    """
    total = response_count(session, survey)
    if not is_over(survey, on) or not anonymity.enough(total, k):
        return SurveyResults(survey, responses=0, k=k, shown=False)
    answers: dict[int, list[SurveyAnswer]] = {q.id: [] for q in survey.questions}
    rows = list(session.scalars(
        select(SurveyAnswer).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
    ))
    for sealed in survey_pool.pending_answers(session, pool_key, survey.id):
        # Read, never stored: these objects are not added to the session.
        rows += [SurveyAnswer(question_id=qid, **value) for qid, value in sealed.items()]
    for answer in rows:
        answers.setdefault(answer.question_id, []).append(answer)
    shown = SurveyResults(survey, responses=total, k=k, shown=True)
    for question in survey.questions:
        shown.questions.append(_question_result(question, answers[question.id], k))
    return shown


def _question_result(question: SurveyQuestion, answers: list[SurveyAnswer], k: int) -> QuestionResult:
    if question.kind is QuestionType.TEXT:
        texts = [a.text for a in answers if a.text]
        if not anonymity.enough(len(texts), k):
            return QuestionResult(question, answered=0, shown=False)
        # Shuffled with the system source: the order of storage must not leak.
        random.SystemRandom().shuffle(texts)
        return QuestionResult(question, answered=len(texts), shown=True, texts=texts)
    if not anonymity.enough(len(answers), k):
        return QuestionResult(question, answered=0, shown=False)
    result = QuestionResult(question, answered=len(answers), shown=True)
    if question.kind is QuestionType.SCALE:
        values = [a.number for a in answers if a.number is not None]  # a scale answer always has one
        result.mean = round(sum(values) / len(values), 1)
        result.counts = [(str(n), values.count(n)) for n in SCALE]
    elif question.kind is QuestionType.SINGLE:
        result.counts = [(label, sum(1 for a in answers if a.number == i))
                         for i, label in enumerate(question.options)]
    else:
        result.counts = [(label, sum(1 for a in answers if i in (a.choices or [])))
                         for i, label in enumerate(question.options)]
    return result


@personal_data.export_section("survey_participations")
def export_participations(session: Session, user: User) -> list[dict]:
    """Which surveys they answered; never what (answers carry no link to anyone)."""
    rows = session.execute(
        select(Survey.title).join(SurveyParticipation, SurveyParticipation.survey_id == Survey.id)
        .where(SurveyParticipation.user_id == user.id).order_by(Survey.id))
    return [{"survey": title} for (title,) in rows]


@personal_data.erasure_step
def erase_participations(session: Session, user_id: int) -> None:
    session.execute(delete(SurveyParticipation).where(SurveyParticipation.user_id == user_id))
