"""The home page: where each role starts."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_login import current_user, login_required

from .. import feed_cards
from ..auth import own_profile
from ..db import get_session
from ..forms.common import NETWORK_LABELS
from ..models import Role, utcnow
from ..program_clock import program_today
from ..security import keep_for_offline
from ..services import ambassadors, milestones, personal_feed, staff_todo
from ..templating import csrf_token, current_locale
from ..urls import page_number
from . import sharing as sharing_views

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    if current_user.role != Role.AMBASSADOR:
        todo = staff_todo.todo(get_session(), today=program_today(), k=current_app.config["MIN_GROUP_SIZE"],
                               include_mail=current_user.role == Role.ADMIN,
                               include_chat=current_user.role == Role.ADMIN)
        return render_template("main/home.html", todo=todo)
    db = get_session()
    number = page_number(request.args.get("page", type=int))
    now = utcnow()
    feed = personal_feed.page(db, current_user.id, now, number)
    profile = own_profile()
    # The month of the share and click counts, which are kept per UTC day.
    network = _shared_figures().this_month(db, now, current_app.config["MIN_GROUP_SIZE"])
    shared = request.args.get("shared", type=int)
    language = current_locale()
    page = render_template("main/feed.html", feed=feed, language=language, profile=profile, today=program_today(),
                           cards=feed_cards.cards(db, feed, profile, language, csrf_token()),
                           shared=shared if sharing_views.may_undo(shared) else None,
                           milestones=network, hidden=request.args.get("hidden", type=int))
    # The first page is what the installed app opens: the service worker keeps it for offline reading.
    return keep_for_offline(make_response(page)) if number == 1 else page


def _shared_figures() -> milestones.SharedFigures:
    """This process's milestones cache, kept with the app (its lifetime and its configuration)."""
    return current_app.extensions.setdefault(
        "advocacy.milestones", milestones.SharedFigures(current_app.config["MILESTONES_CACHE_SECONDS"]))


@bp.get("/directory")
@login_required
def directory():
    """Ambassadors who chose to be listed, so colleagues know whom to ask."""
    entries = ambassadors.directory(get_session(), program_today())
    return render_template("main/directory.html", entries=entries,
                           network_labels=NETWORK_LABELS)
