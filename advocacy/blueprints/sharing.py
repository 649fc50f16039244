"""The share panel: pick a text, open the network's own page, then "I shared it"."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import intents, kept_html
from ..auth import own_consents, own_profile, roles_required
from ..db import get_session
from ..forms.common import NETWORK_LABELS, ActionForm
from ..models import Purpose, Role, ShareEvent, utcnow
from ..services import share_choices, sharing, tracked_links
from ..services.networks import SHARE_SHEET
from ..templating import csrf_token
from ..urls import safe_next, tracked_url

bp = Blueprint("sharing", __name__)
ambassador_required = roles_required(Role.AMBASSADOR)
UNDO_WINDOW = sharing.UNDO_WINDOW
# Share ids the person may undo, kept in their own signed session cookie
# (not in the database, where an anonymous share must stay anonymous).
UNDO_KEY = "undoable_shares"


PANEL_BODY = "sharing/_panel_body.html"


@bp.get("/content/<int:content_id>/share")
@ambassador_required
def panel(content_id: int):
    db = get_session()
    content = sharing.shareable_content(db, content_id, utcnow())
    if content is None:
        abort(404)
    profile = own_profile()
    instance = profile.mastodon_instance if profile else None
    mine, others = share_choices.profile_first(profile.networks if profile else [])
    if not mine:  # no networks in the profile: every one expanded
        mine, others = others, []
    attributed = Purpose.SHARE_ATTRIBUTION in own_consents()
    # The body is kept rendered (kept_html.py) under what it shows; the wordings by the content's
    # revision (updated_at, moved by every save that changes them), the links' host by its value.
    key = (current_app.config.get("BASE_URL") or request.host_url, content.id, content.updated_at, content.title,
           content.summary, instance, tuple(mine), tuple(others), attributed)
    body = kept_html.find(PANEL_BODY, key, csrf_token())
    if body is None:
        kit = share_choices.kit_of(content, tracked_links.links_of(db, content.id))  # a GET never writes
        body = kept_html.render(PANEL_BODY, key, csrf_token(), partial(
            _panel_body, content, kit, mine, others, instance, attributed))
    return render_template("sharing/panel.html", content=content, body=body)


def _panel_body(content, kit: share_choices.ShareKit, mine: list[str], others: list[str], instance: str | None,
                attributed: bool) -> dict:
    """What the panel's body is rendered from, made only when it is not kept yet."""
    made = share_choices.buttons(kit, content.title, [*mine, *others, SHARE_SHEET], link_url=tracked_url,
                                 mastodon_instance=instance)
    return {"content": content, "network_labels": NETWORK_LABELS, "mine": [made[n] for n in mine],
            "others": [made[n] for n in others], "sheet": made[SHARE_SHEET], "instance": instance,
            "attributed": attributed}


@bp.post("/content/<int:content_id>/shared")
@ambassador_required
def shared(content_id: int):
    db = get_session()
    network = request.form.get("network", "")
    if not ActionForm().validate_on_submit():
        return redirect(url_for("sharing.panel", content_id=content_id))
    intent = intents.claim(db)
    if not intent.new:
        return intent.repeated(url_for("sharing.panel", content_id=content_id))
    try:
        recorded = sharing.record_share(db, current_user, content_id, network, utcnow())
    except sharing.SharingError:
        abort(404)
    db.commit()
    undoable = _undoable()
    undoable[str(recorded.event.id)] = (utcnow() + UNDO_WINDOW).timestamp()
    session[UNDO_KEY] = undoable
    # Post/redirect/get: reloading the page that follows records nothing.
    if request.form.get("return_to") == "feed":
        # The feed's "Did you share it?": back where the person was, which says it is counted.
        # The feed's page the person answered from (page 1 needs no parameter).
        page = request.form.get("page", type=int)
        return intent.done(url_for("main.home", shared=recorded.event.id,
                                   page=page if page and page > 1 else None))
    return intent.done(url_for("sharing.thanks", share_id=recorded.event.id))


def _undoable() -> dict[str, float]:
    return {k: v for k, v in session.get(UNDO_KEY, {}).items() if v > utcnow().timestamp()}


def undoable_in_this_browser() -> list[int]:
    """The ids of the shares this browser made and may still undo ("My shares" lists them)."""
    return [int(share_id) for share_id in _undoable()]


def may_undo(share_id: int | None) -> bool:
    """This browser recorded the share and may still undo it."""
    return share_id is not None and str(share_id) in _undoable()


@bp.get("/shares/<int:share_id>/thanks")
@ambassador_required
def thanks(share_id: int):
    # Only for a share this browser recorded and may still undo (the session
    # says so); the page then offers the undo.
    if not may_undo(share_id):
        return redirect(url_for("main.home"))
    event = get_session().get(ShareEvent, share_id)
    if event is None:
        return redirect(url_for("main.home"))
    return render_template("sharing/thanks.html", share_id=share_id, attributed=event.user_id is not None,
                           content_id=event.content_id, form=ActionForm())


@bp.post("/shares/<int:share_id>/undo")
@ambassador_required
def undo(share_id: int):
    db = get_session()
    undoable = session.get(UNDO_KEY, {})
    expires = undoable.get(str(share_id))
    if ActionForm().validate_on_submit():
        now = utcnow()
        # One's own attributed share, from any browser; an anonymous one from the browser that made it.
        own = sharing.own_share(db, current_user.id, share_id)
        if own is None and expires is None:
            abort(404)  # someone else's share, or one this browser never made: not theirs to touch
        if own is not None:
            allowed = sharing.within_undo_window(own, now)
        else:
            allowed = expires is not None and expires >= now.timestamp()
        if not allowed:
            flash(_("This share can no longer be undone (after 24 hours, or from another browser)."), "warning")
        else:
            sharing.undo_share(db, share_id)
            db.commit()
            undoable.pop(str(share_id), None)
            session[UNDO_KEY] = undoable
            flash(_("Share removed."), "success")
    return redirect(safe_next(request.form.get("next")))
