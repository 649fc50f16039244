"""Signing in (with a password or an e-mailed link; single sign-on: blueprints/sso.py) and out, accepting
invitations, choosing the language."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import intents, sign_in_limit
from ..auth import SESSION_TOKEN_KEY
from ..db import get_session
from ..emails import invitation_message, sign_in_link_message
from ..errors import render_error
from ..extensions import limiter
from ..forms.accounts import (
    AcceptInvitationForm,
    JoinForm,
    LanguageForm,
    LoginForm,
    SignInLinkConfirmForm,
    SignInLinkRequestForm,
)
from ..forms.common import ActionForm
from ..messages import message_for
from ..models import MailKind, Role
from ..security import allow_form_target, forget_on_this_device
from ..services import accounts, clock, devices, mail_outbox, sign_in_links, sso, user_sessions
from ..services.onboarding import Step
from ..urls import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _sign_in_limit_per_email() -> str:
    return current_app.config["SIGN_IN_LINK_RATE_LIMIT"]


def start_session(user, *, persistent: bool = False) -> None:
    """Sign this browser in as ``user`` (the caller commits). ``persistent``: "keep me
    signed in on this device", a cookie the browser keeps after closing (REMEMBER_DAYS)."""
    db = get_session()
    # Whoever this browser was signed in as before (an e-mailed link opened in
    # a signed-in browser), that session ends here rather than lingering in their list.
    user_sessions.end(db, session.get(SESSION_TOKEN_KEY))
    token = user_sessions.start(db, user.id, clock.now(), persistent=persistent,
                                device=devices.device_label(request.headers.get("User-Agent")))
    db.commit()
    # A fresh session at every sign-in: nothing from before (a fixated id,
    # a stale CSRF token) carries over into the signed-in session.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    session.permanent = persistent
    session[SESSION_TOKEN_KEY] = token
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(sign_in_limit.account_limit, key_func=sign_in_limit.submitted_account, methods=["POST"],
               exempt_when=sign_in_limit.from_known_device, deduct_when=sign_in_limit.failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        user = accounts.authenticate(db, form.email.data, form.password.data)
        if user is not None:
            start_session(user, persistent=form.remember.data)
            response = redirect(safe_next(form.next.data))
            sign_in_limit.remember_device(response, form.email.data)
            return response
        sign_in_limit.note_failure()
        # One message for a wrong e-mail and a wrong password alike.
        form.password.errors = [_("Wrong e-mail or password.")]
    response = make_response(render_template("auth/login.html", form=form))
    provider = sso.Provider.from_config(current_app.config)
    return allow_form_target(response, provider.origin) if provider else response


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        db = get_session()
        user_sessions.end(db, session.get(SESSION_TOKEN_KEY))
        db.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return forget_on_this_device(redirect(url_for("auth.login")))
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    db = get_session()
    try:
        invitation = accounts.find_invitation(db, token)
    except accounts.AccountError as error:
        if error.code != "invitation_used":
            return render_error(410, message_for(error))
        if current_user.is_authenticated:  # the link opened again by the person it made
            return redirect(url_for("main.home"))
        return render_error(410, message_for(error), action=(_("Sign in"), url_for("auth.login")))
    form = AcceptInvitationForm()
    if request.method == "GET":
        # The admin chose the invitee's language; the invitee may still pick another.
        form.language.data = invitation.language or session.get("language") or _current_language()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(
                db, token, name=form.name.data, password=form.password.data,
                language=form.language.data,
            )
        except accounts.AccountError as error:
            db.rollback()
            return render_error(410, message_for(error))
        start_session(user)
        flash(_("Welcome to %(program)s!", program=current_app.config["PROGRAM_NAME"]), "success")
        return redirect(url_for("main.home"))
    # An ambassador's account is the first of their guided steps (services/onboarding.py).
    step = Step.ACCOUNT if invitation.role == Role.AMBASSADOR else None
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation, step=step)


def _current_language() -> str:
    from flask_babel import get_locale

    return str(get_locale())


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def join():
    """Open join: anyone at an allowed domain asks for a link to create their account."""
    if not current_app.config["OPEN_JOIN"]:
        abort(404)
    form = JoinForm()
    if form.validate_on_submit():
        if not accounts.allowed_join_domain(form.email.data, current_app.config["JOIN_ALLOWED_DOMAINS"]):
            form.email.errors = [_("Joining is open to addresses of the organisation only.")]
            return render_template("auth/join.html", form=form), 400
        db = get_session()
        intent = intents.claim(db)
        if intent.expired:
            return intent.repeated(url_for("auth.join"))
        # A repeat (a reload of the answer page) sends no second link.
        new = accounts.request_join(db, form.email.data, ttl_days=int(current_app.config["INVITATION_TTL_DAYS"]),
                                    language=_current_language()) if intent.new else None
        if new is not None:
            message = invitation_message(new, inviter=None, language=_current_language())
            mail_outbox.enqueue_message(db, message, kind=MailKind.JOIN_CONFIRMATION)
        db.commit()
        # The same answer whether or not an account exists, and for a repeat.
        return render_template("auth/join_sent.html", email=form.email.data)
    return render_template("auth/join.html", form=form), 400 if form.errors else 200


@bp.route("/sign-in-link", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_sign_in_limit_per_email, key_func=sign_in_limit.submitted_account, methods=["POST"])
def request_sign_in_link():
    """Ask for a one-time sign-in link by e-mail (SIGN_IN_LINKS)."""
    if not current_app.config["SIGN_IN_LINKS"]:
        abort(404)
    form = SignInLinkRequestForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        intent = intents.claim(db)
        if intent.expired:
            return intent.repeated(url_for("auth.request_sign_in_link"))
        # A repeat (a reload of the answer page) sends no second link.
        minutes = int(current_app.config["SIGN_IN_LINK_MINUTES"])
        new = sign_in_links.request_link(db, form.email.data, now=clock.now(), minutes=minutes) if intent.new else None
        if new is not None:
            # The page the sign-in page was going to, carried by the link; only a path of ours.
            next_page = form.next.data if form.next.data and safe_next(form.next.data) == form.next.data else None
            message = sign_in_link_message(new, language=new.user.language or _current_language(),
                                           next_page=next_page)
            mail_outbox.enqueue_message(db, message, kind=MailKind.SIGN_IN_LINK, user_id=new.user.id)
        db.commit()
        # The same answer whether or not an account has the address, and for a repeat.
        return render_template("auth/sign_in_link_sent.html")
    return render_template("auth/sign_in_link_request.html", form=form), 400 if form.errors else 200


@bp.route("/sign-in-link/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def sign_in_by_link(token: str):
    """The e-mailed link: GET only shows a button (mail scanners open links), the POST signs in."""
    if not current_app.config["SIGN_IN_LINKS"]:
        abort(404)
    db = get_session()
    form = SignInLinkConfirmForm(next=request.args.get("next", ""))
    try:
        if not form.validate_on_submit():
            sign_in_links.check(db, token, now=clock.now())
            return render_template("auth/sign_in_link_confirm.html", form=form)
        user = sign_in_links.consume(db, token, now=clock.now())
    except sign_in_links.SignInLinkError as error:
        db.rollback()
        return render_error(410, message_for(error), action=(_("Ask for a new link"),
                                                            url_for("auth.request_sign_in_link")))
    start_session(user, persistent=form.remember.data)
    response = redirect(safe_next(form.next.data))
    sign_in_limit.remember_device(response, user.email)
    return response


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            get_session().commit()
    return redirect(safe_next(form.next.data))
