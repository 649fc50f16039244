"""Everything held about a person: export it (JSON) or erase it.

The export follows ``docs/personal-data-export.schema.json`` (SCHEMA_ID).
Areas that hold personal data add a section to the export and a step to
the erasure through EXPORT_SECTIONS and ERASURE_STEPS, so both stay
complete as features are added.

Erasure deletes the account and everything that names the person. Shares
stay in the aggregates but lose their link to the person. Consent history
is deleted rather than kept in a de-identified form: a consent record that
no longer says whose consent it was proves nothing, so keeping it would be
keeping data for no purpose (privacy principle 5, "minimal and erasable", docs/privacy.md).

Deleting rows is not the whole of it: ``remove_traces`` runs once the
erasure is committed and removes the copies the database and the mail
module leave on disk (SQLite's write-ahead log, the outbox's e-mails).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from ..db import truncate_sqlite_wal
from ..models import (
    AmbassadorProfile,
    ConsentRecord,
    Content,
    Department,
    Dismissal,
    Invitation,
    Need,
    Role,
    Topic,
    User,
    ambassador_needs,
    ambassador_topics,
    utcnow,
)
from . import accounts, consent, mail, passwords
from .errors import ServiceError

SCHEMA_ID = "https://relais.invalid/schemas/personal-data-export/1"

# name -> function(session, user) returning JSON-ready data for that section.
EXPORT_SECTIONS: dict[str, Callable[[Session, User], Any]] = {}
# functions(session, user_id) run before the account itself is deleted.
ERASURE_STEPS: list[Callable[[Session, int], None]] = []


class ErasureError(ServiceError):
    area = "personal_data"


def export_section(name: str):
    def register(function):
        EXPORT_SECTIONS[name] = function
        return function

    return register


def erasure_step(function: Callable[[Session, int], None]):
    ERASURE_STEPS.append(function)
    return function


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, user: User) -> dict:
    data: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "language": user.language,
            "active": user.active,
            "created_at": _iso(user.created_at),
        },
        "profile": _profile(session, user),
        "consents": {
            "current": [
                {"purpose": state.purpose.value, "granted": state.granted, "outdated": state.outdated,
                 "text_version": state.record.text_version if state.record else None}
                for state in consent.states(session, user, user.language or "fr")
            ],
            "history": [
                {"purpose": r.purpose.value, "granted": r.granted, "at": _iso(r.at),
                 "text_version": r.text_version, "text_sha256": r.text_sha256,
                 "language": r.language, "channel": r.channel.value}
                for r in consent.history(session, user.id)
            ],
        },
    }
    for name, section in EXPORT_SECTIONS.items():
        data[name] = section(session, user)
    return data


def _profile(session: Session, user: User) -> dict | None:
    profile = session.get(AmbassadorProfile, user.id)
    if profile is None:
        return None
    department = session.get(Department, profile.department_id) if profile.department_id else None
    return {
        "joined_at": _iso(profile.joined_at),
        "mandate_ends_on": profile.mandate_ends_on.isoformat(),
        "paused_until": profile.paused_until.isoformat() if profile.paused_until else None,
        "left_at": _iso(profile.left_at),
        "department": department.name if department else None,
        "networks": list(profile.networks or []),
        "mastodon_instance": profile.mastodon_instance,
        "needs": list(session.scalars(
            select(Need.key).join(ambassador_needs, ambassador_needs.c.need_id == Need.id)
            .where(ambassador_needs.c.user_id == user.id).order_by(Need.position))),
        "topics": sorted(topic.label(user.language or "fr") for topic in session.scalars(
            select(Topic).join(ambassador_topics, ambassador_topics.c.topic_id == Topic.id)
            .where(ambassador_topics.c.user_id == user.id))),
    }


@export_section("dismissed_contents")
def _dismissed(session: Session, user: User) -> list[dict]:
    rows = session.execute(
        select(Dismissal.content_id, Content.title, Dismissal.at)
        .join(Content, Content.id == Dismissal.content_id)
        .where(Dismissal.user_id == user.id).order_by(Dismissal.at))
    return [{"content_id": content_id, "title": title, "at": _iso(at)} for content_id, title, at in rows]


def erase(session: Session, user: User, password: str) -> None:
    """Delete the account and everything naming the person; anonymise what aggregates need."""
    if not passwords.verify_password(user.password_hash, password):
        raise ErasureError("wrong_password", field="password")
    if user.role == Role.ADMIN and accounts.active_admin_count(session) <= 1:
        raise ErasureError("last_admin")
    user_id, email = user.id, user.email
    for step in ERASURE_STEPS:
        step(session, user_id)
    session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == user_id))
    session.execute(delete(Invitation).where(or_(Invitation.email == email, Invitation.user_id == user_id)))
    session.execute(delete(AmbassadorProfile).where(AmbassadorProfile.user_id == user_id))
    session.delete(user)
    session.flush()



def remove_traces(engine: Engine, outbox: Path, email: str) -> bool:
    """After the erasure's commit: what the deleted rows leave elsewhere on disk.

    The outbox's e-mails to (or mentioning) the address are deleted, and
    SQLite's write-ahead log, which still holds the pages as they were
    before the erasure, is copied into the database file (where
    ``secure_delete`` has zeroed the freed space) and emptied. Returns False
    when a reader kept the log from being emptied (logged by the db module);
    the next complete checkpoint empties it.
    """
    mail.remove_outbox_mail(outbox, email)
    return truncate_sqlite_wal(engine)
