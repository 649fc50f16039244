"""The team's chat webhooks, for admins (/admin/chat-webhooks): add, switch on or off, test, delete.

Thin: the rules are in services/chat_webhooks.py, the posting in
chat_posts.py. The address an admin pastes is never sent back: not in the
list (a hint: host and last 4 characters), and not in a form returned with
an error (it is pasted again).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import chat_posts, intents
from ..auth import admin_required
from ..db import get_session
from ..forms.chat_webhooks import PLATFORM_LABELS, ChatWebhookForm
from ..forms.common import ActionForm
from ..messages import chat_error_message, message_for
from ..models import ChatWebhook
from ..services import chat_delivery, chat_webhooks, clock

bp = Blueprint("chat_webhooks", __name__)


def _page(form: ChatWebhookForm, status: int = 200):
    form.url.data = ""  # a secret: never sent back, even to the admin who typed it
    form.url.raw_data = []
    return render_template(
        "chat_webhooks/index.html", form=form, platform_labels=PLATFORM_LABELS,
        states=chat_webhooks.states(get_session(), current_app.config["SECRET_KEY"]),
        error_message=chat_error_message, max_attempts=chat_delivery.MAX_ATTEMPTS), status


@bp.get("/admin/chat-webhooks")
@admin_required
def index():
    return _page(ChatWebhookForm())


@bp.post("/admin/chat-webhooks")
@admin_required
def add():
    form = ChatWebhookForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    db = get_session()
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("chat_webhooks.index"))
    try:
        webhook = chat_webhooks.add_webhook(
            db, platform=form.platform.data or "", name=form.name.data or "", url=form.url.data or "",
            secret_key=current_app.config["SECRET_KEY"], rules=chat_posts.address_rules(), now=clock.now())
    except chat_webhooks.ChatWebhookError as error:
        db.rollback()  # the intent key too: the corrected form may be sent again
        getattr(form, error.field or "url").errors = [message_for(error)]
        return _page(form, status=400)
    db.commit()
    flash(_("The webhook “%(name)s” is added. Send it a test message to check that it works.",
            name=webhook.name), "success")
    return intent.done(url_for("chat_webhooks.index"))


def _webhook_or_404(webhook_id: int) -> ChatWebhook:
    webhook = get_session().get(ChatWebhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


@bp.post("/admin/chat-webhooks/<int:webhook_id>/<any(enable, disable):action>")
@admin_required
def switch(webhook_id: int, action: str):
    if ActionForm().validate_on_submit():
        db = get_session()
        if not chat_webhooks.set_enabled(db, webhook_id, action == "enable"):
            abort(404)
        db.commit()
        flash(_("The webhook is on: the next highlights will be posted.") if action == "enable"
              else _("The webhook is off: nothing more will be posted through it."), "success")
    return redirect(url_for("chat_webhooks.index"))


@bp.post("/admin/chat-webhooks/<int:webhook_id>/test")
@admin_required
def test(webhook_id: int):
    """Posted now, the admin waiting: a test is asked for, unlike a highlight, which a job posts."""
    webhook = _webhook_or_404(webhook_id)
    db = get_session()
    intent = intents.claim(db)
    back = url_for("chat_webhooks.index")
    if not intent.new:
        return intent.repeated(back)
    outcome = chat_posts.send_test(webhook)
    if outcome.ok:
        db.commit()
        flash(_("A test message was posted through “%(name)s”: check the channel.", name=webhook.name), "success")
        return intent.done(back)
    db.rollback()  # the key stays unused: the same button may try again
    flash(_("The test message could not be posted through “%(name)s”: %(reason)s", name=webhook.name,
            reason=chat_error_message(outcome.error, outcome.detail)), "error")
    return redirect(back)


@bp.post("/admin/chat-webhooks/<int:webhook_id>/delete")
@admin_required
def delete(webhook_id: int):
    if ActionForm().validate_on_submit():
        db = get_session()
        if not chat_webhooks.delete_webhook(db, webhook_id):
            abort(404)
        db.commit()
        flash(_("The webhook is deleted, with what it still had to post."), "success")
    return redirect(url_for("chat_webhooks.index"))
