"""Topics, managed by curators, and the feed categories that suggest them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ... import intents
from ...auth import staff_required
from ...db import get_session
from ...forms.common import ActionForm
from ...forms.curation import TopicForm
from ...messages import message_for
from ...models import Topic
from ...services import taxonomy
from . import bp


def _categories(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part.strip()]


def _language() -> str:
    return str(get_locale())


def _page(add_form: TopicForm | None = None, status: int = 200):
    session = get_session()
    topics = taxonomy.list_topics(session, _language())
    forms = {topic.id: TopicForm(prefix=f"topic-{topic.id}", name_fr=topic.name_fr, name_en=topic.name_en,
                                 categories=", ".join(m.category for m in topic.categories))
             for topic in topics}
    return render_template(
        "curation/topics.html", topics=topics, forms=forms, add_form=add_form or TopicForm(),
        unmapped=taxonomy.unmapped_categories(session),
    ), status


@bp.get("/topics")
@staff_required
def topics():
    return _page()


@bp.post("/topics")
@staff_required
def add_topic():
    form = TopicForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    intent = intents.claim(session)
    if not intent.new:
        return intent.repeated(url_for("curation.topics"))
    try:
        topic = taxonomy.add_topic(session, name_fr=form.name_fr.data, name_en=form.name_en.data)
        moved = taxonomy.set_categories(session, topic, _categories(form.categories.data))
    except taxonomy.TaxonomyError as error:
        form.name_fr.errors = [message_for(error)]
        return _page(form, 400)
    session.commit()
    flash(_("Topic “%(name)s” added.", name=topic.label(_language())), "success")
    _report_moved(moved)
    return intent.done(url_for("curation.topics"))


def _report_moved(moved: list[str]) -> None:
    if moved:
        flash(_("These categories now suggest this topic instead of another: %(list)s.",
                list=", ".join(moved)), "info")


def _topic_or_404(topic_id: int) -> Topic:
    topic = get_session().get(Topic, topic_id)
    if topic is None:
        abort(404)
    return topic


@bp.post("/topics/<int:topic_id>")
@staff_required
def update_topic(topic_id: int):
    session = get_session()
    topic = _topic_or_404(topic_id)
    form = TopicForm(prefix=f"topic-{topic.id}")
    if form.validate_on_submit():
        try:
            taxonomy.rename_topic(session, topic, name_fr=form.name_fr.data, name_en=form.name_en.data)
            moved = taxonomy.set_categories(session, topic, _categories(form.categories.data))
        except taxonomy.TaxonomyError as error:
            session.rollback()
            flash(message_for(error), "error")
        else:
            session.commit()
            flash(_("Topic “%(name)s” saved.", name=topic.label(_language())), "success")
            _report_moved(moved)
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for("curation.topics"))


@bp.post("/topics/<int:topic_id>/delete")
@staff_required
def delete_topic(topic_id: int):
    session = get_session()
    topic = _topic_or_404(topic_id)
    if ActionForm().validate_on_submit():
        name = topic.label(_language())
        taxonomy.delete_topic(session, topic)
        session.commit()
        flash(_("Topic “%(name)s” deleted; content keeps its other topics.", name=name), "success")
    return redirect(url_for("curation.topics"))
