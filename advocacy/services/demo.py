"""Demo data for `make run`: loaded once, only into an empty database.

The demo passwords are public on purpose (they are printed at every start):
this data is for trying Relais on one's own machine, never for production.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content_feeds.samples import OPML_PATH

from ..models import Feed, Role, User
from . import accounts, feeds, ingest

DEMO_ACCOUNTS: list[tuple[str, str, Role]] = [
    ("admin@demo.relais.invalid", "demo-admin-pass", Role.ADMIN),
    ("curator@demo.relais.invalid", "demo-curator-pass", Role.CURATOR),
    ("camille@demo.relais.invalid", "demo-ambassador-1", Role.AMBASSADOR),
    ("sam@demo.relais.invalid", "demo-ambassador-2", Role.AMBASSADOR),
]
DEMO_NAMES = {
    "admin@demo.relais.invalid": ("Alex Admin", "fr"),
    "curator@demo.relais.invalid": ("Chris Curator", "fr"),
    "camille@demo.relais.invalid": ("Camille Martin", "fr"),
    "sam@demo.relais.invalid": ("Sam Taylor", "en"),
}


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


def demo_accounts_exist(session: Session) -> bool:
    return accounts.find_by_email(session, DEMO_ACCOUNTS[0][0]) is not None


def load_if_empty(session: Session) -> bool:
    """Create the demo program; returns False (and does nothing) if data exists."""
    if not is_empty(session):
        return False
    for email, password, role in DEMO_ACCOUNTS:
        name, language = DEMO_NAMES[email]
        accounts.create_user(
            session, email=email, name=name, password=password, role=role, language=language
        )
    load_sample_feeds(session)
    return True


def load_sample_feeds(session: Session) -> None:
    """The bundled sample feeds, ingested offline; the scheduler keeps polling them."""
    feeds.import_opml(session, OPML_PATH.read_bytes())
    settings = ingest.IngestSettings()
    for feed in session.scalars(select(Feed).order_by(Feed.id)):
        ingest.apply_outcome(session, ingest.fetch_one(ingest.FeedRequest.of(feed), settings.fetch), settings)
