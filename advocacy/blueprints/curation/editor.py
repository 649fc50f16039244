"""The content editor shared by "approve an item", "new content" and "edit".

Between the form and the service sits a ContentDraft: the form is read into
a draft, the service checks it (authoritative share-text lengths, dates,
highlights), and its problems are put back beside the fields they concern.
A rejected form is re-rendered from what was posted, so nothing typed is lost.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from content_feeds import FeedError, InvalidURLError
from content_feeds.errors import format_size

from ... import feed_settings
from ...forms.common import NETWORK_LABELS
from ...forms.curation import SPARE_TEXT_BOXES, ContentForm
from ...messages import message_for
from ...models import Content, FeedItem
from ...program_clock import program_zone
from ...services import contents, images, taxonomy, text_rules
from ...services.clock import to_local, to_utc
from ...services.contents import MAX_TEXTS_PER_NETWORK
from ...services.networks import NETWORKS

STATUS_LABELS = {
    contents.Status.DRAFT: _l("Draft"),
    contents.Status.SCHEDULED: _l("Scheduled"),
    contents.Status.PUBLISHED: _l("Published"),
    contents.Status.EXPIRED: _l("Expired"),
    contents.Status.ARCHIVED: _l("Archived"),
}


def prepare(form: ContentForm, session) -> None:
    """Choices for needs and topics, labelled in the reader's language."""
    language = str(get_locale())
    form.needs.choices = [SelectChoice(n.id, n.label(language)) for n in taxonomy.list_needs(session)]
    form.topics.choices = [SelectChoice(t.id, t.label(language)) for t in taxonomy.list_topics(session, language)]


def fill(form: ContentForm, draft: contents.ContentDraft) -> None:
    """Put a draft into a fresh (GET) form, with spare text boxes."""
    form.title.data = draft.title
    form.summary.data = draft.summary
    form.image_url.data = draft.image_url
    form.target_url.data = draft.target_url
    form.publication.data = "publish" if draft.publish_at else "draft"
    form.publish_at.data = to_local(draft.publish_at, program_zone())
    form.expires_at.data = to_local(draft.expires_at, program_zone())
    form.highlighted.data = draft.highlighted
    form.needs.data = list(draft.need_ids)
    form.topics.data = list(draft.topic_ids)
    for network, boxes in form.text_lists():
        while boxes.entries:
            boxes.pop_entry()
        for text in draft.texts.get(network, []):
            boxes.append_entry(text)
    add_spare_boxes(form)


def add_spare_boxes(form: ContentForm) -> None:
    """Keep SPARE_TEXT_BOXES empty boxes after the last text of each network:
    more variants need no JavaScript, and empty boxes are ignored. Never
    more than MAX_TEXTS_PER_NETWORK boxes: the form would not read them."""
    for _network, boxes in form.text_lists():
        trailing = 0
        for entry in reversed(boxes.entries):
            if (entry.data or "").strip():
                break
            trailing += 1
        spare = min(SPARE_TEXT_BOXES - trailing, MAX_TEXTS_PER_NETWORK - len(boxes.entries))
        for _ in range(spare):
            boxes.append_entry("")


def _utc(field) -> datetime | None:
    # A time the form refused (year 1, say) may not even convert to UTC:
    # its error is shown instead, and the service checks the rest.
    return None if field.errors else to_utc(field.data, program_zone())


def read(form: ContentForm, now: datetime) -> contents.ContentDraft:
    publish_at = None
    if form.publication.data != "draft":
        publish_at = _utc(form.publish_at) or now  # empty: now
    return contents.ContentDraft(
        title=form.title.data or "",
        summary=form.summary.data or "",
        image_url=form.image_url.data or None,
        target_url=form.target_url.data or "",
        publish_at=publish_at,
        expires_at=_utc(form.expires_at),
        highlighted=bool(form.highlighted.data),
        need_ids=list(form.needs.data or []),
        topic_ids=list(form.topics.data or []),
        texts={network: [entry.data or "" for entry in boxes.entries] for network, boxes in form.text_lists()},
    )


def submitted(form: ContentForm, session, now: datetime, content: Content | None = None,
              item: FeedItem | None = None):
    """The posted draft if the form is valid, else None with errors placed.

    The service's checks run even when the form itself is invalid, so the
    curator sees every problem at once (a missing title and a long text).
    A valid draft comes with Relais' copy of its image (``copy_image``).
    """
    valid = form.validate_on_submit()
    draft = read(form, now)
    if not valid:
        place(form, contents.check(session, draft, now, content))
        return None
    if not copy_image(form, session, draft, content or item, now):
        place(form, contents.check(session, draft, now, content))  # every other problem too, at once
        return None
    return draft


def copy_image(form: ContentForm, session, draft: contents.ContentDraft, source: Content | FeedItem | None,
               now: datetime) -> bool:
    """Give the draft the copy of its image; False, with the reason placed, when it cannot be made.

    The address the content or item already has keeps its copy; another one
    is fetched now, through the guarded fetcher, and stored with the content.
    Nothing is written before the fetch, so the read transaction is ended
    first: no database connection waits on someone else's server.
    """
    url = (draft.image_url or "").strip()
    draft.image_sha256 = None
    if not url:
        return True
    if source is not None and source.image_url == url and source.image_sha256:
        draft.image_sha256 = source.image_sha256
        return True
    settings = feed_settings.current().images
    session.rollback()
    try:
        image = images.fetch_copy(url, settings)
    except FeedError as error:
        problem = (contents.Problem("image_url", "not_a_web_url") if isinstance(error, InvalidURLError) else
                   contents.Problem("image_url", "image_not_copied", {"limit": format_size(settings.fetch.max_bytes)}))
        place(form, [problem])
        return False
    draft.image_sha256 = images.store(session, image, now)
    return True


def stored_image(form: ContentForm, source: Content | FeedItem | None) -> str | None:
    """The copy to show beside the image field: the source's, while the field holds its address."""
    if source is None or not source.image_sha256 or not form.image_url.data:
        return None
    return source.image_sha256 if source.image_url == form.image_url.data.strip() else None


def place(form: ContentForm, problems: list[contents.Problem]) -> None:
    for problem in problems:
        # The network is named in the reader's language, which only this layer knows.
        named = {"network": NETWORK_LABELS[problem.network]} if problem.network else {}
        message = message_for(problem, **named)
        if problem.field == "texts":
            field = getattr(form, f"texts_{problem.network}").entries[problem.index]
        else:
            field = getattr(form, problem.field)
            if field.errors:
                continue  # the form's own validator already said it
        field.errors = [*field.errors, message]


def render(form: ContentForm, session, *, content: Content | None = None, item=None, action: str,
           status: int = 200):
    add_spare_boxes(form)
    duplicate = contents.existing_for_url(session, form.target_url.data,
                                          exclude_id=content.id if content else None)
    return render_template(
        "curation/editor.html", form=form, content=content, item=item, action=action,
        duplicate=duplicate, stored_image=stored_image(form, content or item),
        network_labels=NETWORK_LABELS, limits={n: text_rules.limit_for(n) for n in NETWORKS},
        max_variants=MAX_TEXTS_PER_NETWORK,
        timezone=program_zone(),
    ), status
