"""The ambassador kit: pages per language, ordered, with their revision history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import KitPage, KitRevision, KitSection, User, utcnow
from .errors import ServiceError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_ORDER = list(KitSection)
# Taken by the kit's own pages under /kit/.
RESERVED_SLUGS = {"manage", "new", "pages"}


class KitError(ServiceError):
    area = "kit"


@dataclass(frozen=True)
class PageDraft:
    slug: str
    language: str
    section: KitSection
    position: int
    title: str
    body: str


def _check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise KitError("invalid_slug")
    return slug


def find(session: Session, slug: str, language: str) -> KitPage | None:
    return session.scalar(select(KitPage).where(KitPage.slug == slug, KitPage.language == language))


def create_page(session: Session, draft: PageDraft, editor: User) -> KitPage:
    slug = _check_slug(draft.slug)
    if find(session, slug, draft.language) is not None:
        raise KitError("duplicate")
    page = KitPage(slug=slug, language=draft.language, section=draft.section, position=draft.position,
                   title=draft.title.strip(), body=draft.body)
    session.add(page)
    session.flush()
    _record(session, page, editor)
    return page


def update_page(session: Session, page: KitPage, draft: PageDraft, editor: User) -> bool:
    """Save changes; a new revision only when the title or text changed. True if anything did."""
    slug = _check_slug(draft.slug)
    if (slug, draft.language) != (page.slug, page.language):
        other = find(session, slug, draft.language)
        if other is not None and other.id != page.id:
            raise KitError("duplicate")
    content_changed = (draft.title.strip(), draft.body) != (page.title, page.body)
    changed = content_changed or (slug, draft.language, draft.section, draft.position) != (
        page.slug, page.language, page.section, page.position)
    page.slug, page.language, page.section, page.position = slug, draft.language, draft.section, draft.position
    page.title, page.body = draft.title.strip(), draft.body
    if changed:
        page.updated_at = utcnow()
    if content_changed:
        _record(session, page, editor)
    return changed


def _record(session: Session, page: KitPage, editor: User) -> None:
    # The revision keeps the full text, so every previous body stays readable.
    session.add(KitRevision(page_id=page.id, title=page.title, body=page.body, editor_id=editor.id))
    session.flush()


def delete_page(session: Session, page: KitPage) -> None:
    session.delete(page)


def revisions(session: Session, page: KitPage) -> list[tuple[KitRevision, str | None]]:
    """Newest first, each with the editor's name (None once their account is gone)."""
    rows = session.execute(
        select(KitRevision, User.name).outerjoin(User, User.id == KitRevision.editor_id)
        .where(KitRevision.page_id == page.id).order_by(KitRevision.id.desc())
    )
    return [(revision, name) for revision, name in rows]


def pages_for_reader(session: Session, language: str) -> list[KitPage]:
    """One page per slug: in the reader's language, else in another one.

    Sorted by section, then position, then title, so the kit reads the same
    in every language.
    """
    chosen: dict[str, KitPage] = {}
    for page in session.scalars(select(KitPage).order_by(KitPage.id)):
        current = chosen.get(page.slug)
        if current is None or (page.language == language and current.language != language):
            chosen[page.slug] = page
    return sorted(chosen.values(), key=lambda p: (SECTION_ORDER.index(p.section), p.position, p.title.lower()))


def page_for_reader(session: Session, slug: str, language: str) -> KitPage | None:
    page = find(session, slug, language)
    if page is not None:
        return page
    return session.scalar(select(KitPage).where(KitPage.slug == slug).order_by(KitPage.id).limit(1))


def all_pages(session: Session) -> list[KitPage]:
    """Every page and translation, for the editors' list."""
    pages = session.scalars(select(KitPage)).all()
    return sorted(pages, key=lambda p: (SECTION_ORDER.index(p.section), p.position, p.slug, p.language))


def translations(session: Session, slug: str) -> list[str]:
    return list(session.scalars(select(KitPage.language).where(KitPage.slug == slug).order_by(KitPage.language)))
