"""Atom feeds for one's own reader: an ambassador's suggestions (private link), the decision log (public).

The feeds under /atom/ are read by feed readers, which carry no login: the
app opens no session for them (``security.SESSIONLESS_PREFIX``), so they
never read who is signed in in this browser and never set a cookie. What
they return is decided by the link alone. "Me" → "In my feed reader"
(``/me/reader-feed``) makes, replaces and revokes the personal link.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as ResponseBase

from .. import intents
from ..auth import roles_required
from ..db import get_session
from ..forms.common import ActionForm
from ..forms.feedback import FEEDBACK_KIND_LABELS, FEEDBACK_STATUS_LABELS
from ..i18n import language_of
from ..models import FeedbackItem, Role, utcnow
from ..program_clock import program_today, program_zone
from ..services import atom, clock, personal_feed, reader_feeds
from ..urls import external_url

bp = Blueprint("reader_feeds", __name__)
ambassador_required = roles_required(Role.AMBASSADOR)
# A feed reader asks again every so often; a cache may keep the copy but must ask first.
PRIVATE_CACHING = "private, no-cache"
PUBLIC_CACHING = "public, no-cache"
TITLE_CHARACTERS = 80  # of a decision's text, in its entry's title


# --- "Me": the personal link ---------------------------------------------------

def _page(link: str | None = None):
    created_at = reader_feeds.link_created_at(get_session(), current_user.id)
    return render_template("reader_feeds/index.html", link=link, created_at=created_at, form=ActionForm())


@bp.get("/me/reader-feed")
@ambassador_required
def index():
    return _page()


@bp.post("/me/reader-feed")
@ambassador_required
def new_link():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("reader_feeds.index"))
    # A repeat (a reload of the page showing the link) must not replace the
    # link just shown, which the person may have pasted into their reader already.
    intent = intents.claim(get_session())
    if not intent.new:
        return intent.repeated(url_for("reader_feeds.index"))
    token = reader_feeds.new_link(get_session(), current_user)
    get_session().commit()
    # Shown in this response only (only the hash is kept), never flashed into the session cookie.
    return _page(link=external_url("reader_feeds.suggestions", token=token))


@bp.post("/me/reader-feed/revoke")
@ambassador_required
def revoke():
    if ActionForm().validate_on_submit():
        reader_feeds.revoke(get_session(), current_user.id)
        get_session().commit()
        flash(_("Your feed link no longer works."), "success")
    return redirect(url_for("reader_feeds.index"))


# --- the feeds -------------------------------------------------------------------

def _host() -> str:
    """The site's host, for tag: ids: BASE_URL's when set, so ids do not depend on how the feed was reached."""
    return urlsplit(current_app.config.get("BASE_URL") or request.host_url).hostname or ""


def _atom_response(feed: atom.Feed, caching: str) -> ResponseBase:
    body = atom.render(feed)
    response = Response(body, mimetype=atom.MEDIA_TYPE)
    # The body's digest: any change (an entry added, removed, reordered, edited) is a new ETag.
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = feed.updated
    response.headers["Cache-Control"] = caching
    response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)


@bp.get("/atom/suggestions/<token>")
def suggestions(token: str):
    """Someone's suggestions: a made-up, revoked or replaced link, or a person who left,
    lapsed, was deactivated or erased, all get the same 404 (nothing says the link once worked)."""
    db = get_session()
    reader = reader_feeds.reader_for_token(db, token, program_today())
    if reader is None:
        abort(404)
    now = utcnow()
    language = language_of(reader.user.language)
    with force_locale(language):
        host = _host()
        entries = [_suggestion_entry(host, suggestion, language)
                   for suggestion in reader_feeds.suggestions(db, reader, now)]
        feed = atom.Feed(
            id=atom.tag_uri(host, reader.link_created_at.date(), f"suggestions/{reader.link_id}"),
            title=_("Suggestions for you · %(program)s", program=current_app.config["PROGRAM_NAME"]),
            subtitle=_("Posts picked for your needs and topics. Open one to share it in your own words."),
            updated=atom.newest([entry.updated for entry in entries], reader.link_created_at),
            self_link=external_url("reader_feeds.suggestions", token=token),
            alternate_link=external_url("main.home"), author=current_app.config["PROGRAM_NAME"],
            language=language, entries=entries)
    response = _atom_response(feed, PRIVATE_CACHING)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never in a Referer
    return response


def _suggestion_entry(host: str, suggestion: personal_feed.Suggestion, language: str) -> atom.Entry:
    content = suggestion.content
    # The share panel, never a tracked link: a reader's click is not the audience's.
    panel = external_url("sharing.panel", content_id=content.id)
    html = render_template("reader_feeds/_suggestion.html", suggestion=suggestion, panel=panel,
                           language=language)
    return atom.Entry(id=atom.tag_uri(host, content.created_at.date(), f"content/{content.id}"),
                      title=content.title, updated=max(content.updated_at, content.publish_at or content.updated_at),
                      published=content.publish_at, link=panel, html=html)


@bp.get("/atom/decisions")
def decisions():
    """The public log of decisions, as Atom: what the log shows, newest first, never who wrote in."""
    language = str(get_locale())
    host = _host()
    page = external_url("feedback.decisions")
    entries = [_decision_entry(host, item, page) for item in reader_feeds.latest_decisions(get_session())]
    feed = atom.Feed(
        id=atom.tag_uri(host, atom.FIRST_DAY, "decisions"),
        title=_("Decisions · %(program)s", program=current_app.config["PROGRAM_NAME"]),
        subtitle=_("What the team decided about the feedback it received, and why. No names."),
        updated=atom.newest([entry.updated for entry in entries], atom.EPOCH),
        self_link=external_url("reader_feeds.decisions"), alternate_link=page,
        author=current_app.config["PROGRAM_NAME"], language=language, entries=entries)
    response = _atom_response(feed, PUBLIC_CACHING)
    response.vary.add("Accept-Language")  # a shared cache keeps one copy per language asked for
    return response


def _decision_entry(host: str, item: FeedbackItem, page: str) -> atom.Entry:
    decided_on = item.replied_on or item.created_on
    text = " ".join(item.body.split())
    short = text if len(text) <= TITLE_CHARACTERS else text[:TITLE_CHARACTERS - 1].rstrip() + "…"
    title = _("%(status)s · %(kind)s: %(text)s", status=FEEDBACK_STATUS_LABELS[item.status],
              kind=FEEDBACK_KIND_LABELS[item.kind], text=short)
    html = render_template("reader_feeds/_decision.html", item=item)
    # A day is all a decision keeps: its entry is dated at the start of that day in the program's zone.
    return atom.Entry(id=atom.tag_uri(host, item.created_on, f"decision/{item.id}"), title=title,
                      updated=clock.day_start(decided_on, program_zone()), link=f"{page}#decision-{item.id}",
                      html=html)
