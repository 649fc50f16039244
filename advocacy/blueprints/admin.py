"""Administration: people, roles, invitations; the mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import intents
from ..auth import admin_required
from ..db import get_session
from ..emails import invitation_message
from ..forms.accounts import ROLE_LABELS, InviteForm, RoleForm
from ..forms.common import ActionForm
from ..messages import message_for
from ..models import MailKind, MailStatus, Role, User
from ..services import accounts, mail_outbox

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAIL_KIND_LABELS = {
    MailKind.INVITATION: _l("Invitation"),
    MailKind.JOIN_CONFIRMATION: _l("Join confirmation"),
    MailKind.SIGN_IN_LINK: _l("Sign-in link"),
    MailKind.DIGEST: _l("Weekly digest"),
    MailKind.DIGEST_PREVIEW: _l("Digest preview"),
    MailKind.RENEWAL_NOTICE: _l("Renewal notice"),
}
MAIL_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Queued"),
    MailStatus.SENDING: _l("Being sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
}


def _invite_form() -> InviteForm:
    # Invitees write in the program's first language unless the admin picks theirs.
    return InviteForm(language=current_app.config["LANGUAGES"][0])


def _users_page(invite_form: InviteForm):
    db = get_session()
    return render_template(
        "admin/users.html",
        users=accounts.list_users(db),
        invitations=accounts.pending_invitations(db),
        invite_form=invite_form,
        role_labels=ROLE_LABELS,
    )


@bp.get("/users")
@admin_required
def users():
    return _users_page(_invite_form())


@bp.post("/invitations")
@admin_required
def invite():
    db = get_session()
    form = _invite_form()
    if form.validate_on_submit():
        intent = intents.claim(db)
        if not intent.new:
            return intent.repeated(url_for("admin.users"))
        try:
            new = accounts.invite(
                db, email=form.email.data, role=Role(form.role.data), invited_by=current_user,
                ttl_days=int(current_app.config["INVITATION_TTL_DAYS"]), language=form.language.data,
            )
        except accounts.AccountError as error:
            form.email.errors = [message_for(error)]
        else:
            message = invitation_message(new, inviter=current_user.name, language=form.language.data)
            mail_outbox.enqueue_message(db, message, kind=MailKind.INVITATION)
            db.commit()
            flash(_("Invitation sent to %(email)s.", email=new.invitation.email), "success")
            return intent.done(url_for("admin.users"))
    # Re-render the page with what was typed and the error beside the field.
    return _users_page(form), 400


@bp.post("/invitations/<int:invitation_id>/revoke")
@admin_required
def revoke_invitation(invitation_id: int):
    db = get_session()
    if ActionForm().validate_on_submit():
        try:
            accounts.revoke_invitation(db, invitation_id)
        except accounts.AccountError as error:
            flash(message_for(error), "error")
        else:
            db.commit()
            flash(_("Invitation withdrawn."), "success")
    return redirect(url_for("admin.users"))


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    db = get_session()
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.set_role(db, user, Role(form.role.data))
        except accounts.AccountError as error:
            flash(message_for(error), "error")
        else:
            db.commit()
            flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/<any(activate, deactivate):action>")
@admin_required
def set_active(user_id: int, action: str):
    db = get_session()
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        try:
            accounts.set_active(db, user, action == "activate", acting=current_user)
        except accounts.AccountError as error:
            flash(message_for(error), "error")
        else:
            db.commit()
            if user.active:
                flash(_("%(name)s can sign in again.", name=user.name), "success")
            else:
                flash(_("%(name)s can no longer sign in.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.get("/mail")
@admin_required
def mail():
    """What the mail outbox holds: queued, being sent, sent, failed; addresses masked."""
    db = get_session()
    return render_template("admin/mail.html", counts=mail_outbox.counts(db), rows=mail_outbox.recent(db),
                           masked=mail_outbox.masked, kinds=MAIL_KIND_LABELS, statuses=MAIL_STATUS_LABELS,
                           smtp_host=current_app.config.get("SMTP_HOST"))
