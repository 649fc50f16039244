"""The feedback loop: send, read my replies, the public log of decisions, the team's inbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import intents
from ..auth import staff_required
from ..db import get_session
from ..forms.feedback import FEEDBACK_KIND_LABELS, FEEDBACK_STATUS_LABELS, FeedbackForm, ReplyForm
from ..messages import message_for
from ..models import FeedbackItem, FeedbackKind, FeedbackStatus
from ..program_clock import program_today
from ..services import clock, feedback, notifications

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


@bp.app_context_processor
def labels():
    return {"feedback_kind_labels": FEEDBACK_KIND_LABELS, "feedback_status_labels": FEEDBACK_STATUS_LABELS}


def _index(form: FeedbackForm, status: int = 200):
    return render_template("feedback/index.html", form=form,
                           items=feedback.mine(get_session(), current_user)), status


@bp.get("/")
@login_required
def index():
    return _index(FeedbackForm())


@bp.post("/")
@login_required
def send():
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _index(form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("feedback.index"))
    anonymous = bool(form.anonymous.data)
    feedback.submit(db, current_user, FeedbackKind(form.kind.data), form.body.data, anonymous=anonymous,
                    today=program_today())
    db.commit()
    if anonymous:
        flash(_("Thank you. Your message was sent without your name; the team's decisions appear in "
                "the public log."), "success")
    else:
        flash(_("Thank you. The team's reply will appear under “My feedback”."), "success")
    return intent.done(url_for("feedback.index"))


@bp.get("/mine/<item_id>")
@login_required
def mine(item_id: str):
    # Someone else's item, an anonymous one or a made-up key: the same 404.
    item = feedback.item_of_author(get_session(), item_id, current_user)
    if item is None:
        abort(404)
    return render_template("feedback/item.html", item=item)


@bp.get("/decisions")
@login_required
def decisions():
    return render_template("feedback/decisions.html", items=feedback.decision_log(get_session()))


@bp.get("/inbox")
@staff_required
def inbox():
    chosen = request.args.get("status")
    status = FeedbackStatus(chosen) if chosen in {s.value for s in FeedbackStatus} else None
    return render_template("feedback/inbox.html", items=feedback.inbox(get_session(), status), status=status)


def _item_or_404(item_id: str) -> FeedbackItem:
    item = get_session().get(FeedbackItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/inbox/<item_id>", methods=["GET", "POST"])
@staff_required
def answer(item_id: str):
    db = get_session()
    item = _item_or_404(item_id)
    form = ReplyForm(obj=item)
    named = feedback.is_named(db, item)
    if not form.is_submitted():
        form.status.data = item.status.value
        return render_template("feedback/answer.html", item=item, form=form, named=named)
    if form.validate():
        try:
            feedback.answer(item, FeedbackStatus(form.status.data), form.reply.data, program_today())
        except feedback.FeedbackError as error:
            form.reply.errors = [message_for(error)]
        else:
            notifications.feedback_answered(db, item, clock.now())  # its named author only, if any
            db.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("feedback.inbox"))
    return render_template("feedback/answer.html", item=item, form=form, named=named), 400
