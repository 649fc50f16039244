"""Consent per purpose: texts, grants, withdrawals, current state and their effects.

Rules (privacy principle 2, docs/privacy.md): separate purposes, opt-in, never pre-ticked; every grant
or withdrawal appends a record (user, purpose, granted/withdrawn, UTC time,
text version and SHA-256 of the exact text shown, language, channel); a
grant counts only for the current version of its purpose's text, so a new
charter (or a new text) asks again; withdrawing takes effect at once.

Features that hold data covered by a consent register what withdrawing it
must undo in WITHDRAWAL_EFFECTS (sharing detaches attributed shares, for
instance), so the rule is enforced where the data lives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from ..models import ConsentChannel, ConsentRecord, ConsentText, Purpose, User, utcnow
from .errors import ServiceError


class ConsentError(ServiceError):
    area = "consent"


# purpose -> functions(session, user_id) run when that consent is withdrawn.
WITHDRAWAL_EFFECTS: dict[Purpose, list[Callable[[Session, int], None]]] = defaultdict(list)


def on_withdrawal(purpose: Purpose):
    def register(function: Callable[[Session, int], None]):
        WITHDRAWAL_EFFECTS[purpose].append(function)
        return function

    return register


# --- texts ---------------------------------------------------------------------

def current_version(session: Session, purpose: Purpose) -> int | None:
    return session.scalar(select(func.max(ConsentText.version)).where(ConsentText.purpose == purpose))


def current_text(session: Session, purpose: Purpose, language: str) -> ConsentText | None:
    """The latest version, in this language if it exists, else in any language."""
    version = current_version(session, purpose)
    if version is None:
        return None
    texts = session.scalars(
        select(ConsentText).where(ConsentText.purpose == purpose, ConsentText.version == version)
    ).all()
    return next((t for t in texts if t.language == language), texts[0] if texts else None)


def text_by_version(session: Session, purpose: Purpose, version: int, language: str) -> ConsentText | None:
    return session.scalar(select(ConsentText).where(
        ConsentText.purpose == purpose, ConsentText.version == version, ConsentText.language == language))


def publish_texts(
    session: Session, purpose: Purpose, texts: dict[str, tuple[str, str]], *, author: User | None,
    mandate_months: int | None = None,
) -> int:
    """A new version of a purpose's text, one per language: {language: (title, body)}."""
    version = (current_version(session, purpose) or 0) + 1
    for language, (title, body) in texts.items():
        session.add(ConsentText(
            purpose=purpose, version=version, language=language, title=title.strip(), body=body.strip(),
            mandate_months=mandate_months, created_by_id=author.id if author else None,
        ))
    session.flush()
    return version


# --- decisions -----------------------------------------------------------------

def latest_record(session: Session, user_id: int, purpose: Purpose) -> ConsentRecord | None:
    return session.scalar(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.id.desc()).limit(1)
    )


def has_consent(session: Session, user_id: int, purpose: Purpose) -> bool:
    """Granted, not withdrawn since, and given on the current version of the text."""
    return purpose in in_force(session, user_id)


def in_force_statement():
    """The statement of ``in_force`` (bind ``user_id``), for a caller that reads more beside it."""
    latest = (select(func.max(ConsentRecord.id).label("id")).where(ConsentRecord.user_id == bindparam("user_id"))
              .group_by(ConsentRecord.purpose).subquery())
    current = (select(ConsentText.purpose, func.max(ConsentText.version).label("version"))
               .group_by(ConsentText.purpose).subquery())
    return (select(ConsentRecord.purpose).join(latest, latest.c.id == ConsentRecord.id)
            .join(current, and_(current.c.purpose == ConsentRecord.purpose,
                                current.c.version == ConsentRecord.text_version))
            .where(ConsentRecord.granted.is_(True)))


# Read on every signed-in ambassador request: built once, not per request.
_IN_FORCE = in_force_statement()


def in_force(session: Session, user_id: int) -> frozenset[Purpose]:
    """Every purpose the person's consent stands for now (``has_consent`` for all purposes, one statement)."""
    return frozenset(session.scalars(_IN_FORCE, {"user_id": user_id}))


def grant(
    session: Session, user: User, text: ConsentText, *, channel: ConsentChannel = ConsentChannel.WEB,
    now: datetime | None = None,
) -> ConsentRecord:
    """Record a grant of exactly this text; nothing new if it is already granted on this version.

    Refused if a newer version exists."""
    if text.version != current_version(session, text.purpose):
        # The charter is the membership text; an outdated charter is told apart from other texts.
        raise ConsentError("outdated_charter" if text.purpose == Purpose.MEMBERSHIP else "outdated_text")
    last = latest_record(session, user.id, text.purpose)
    if last is not None and last.granted and last.text_version == text.version:
        # Already in force on this version: a repeat (or the same text in the
        # other language) is no new decision, and the log records decisions.
        return last
    record = ConsentRecord(
        user_id=user.id, purpose=text.purpose, granted=True, at=now or utcnow(),
        text_version=text.version, text_sha256=text.sha256, language=text.language, channel=channel,
    )
    session.add(record)
    session.flush()
    return record


def withdraw(
    session: Session, user_id: int, purpose: Purpose, *, channel: ConsentChannel = ConsentChannel.WEB,
    now: datetime | None = None,
) -> ConsentRecord | None:
    """Record the withdrawal and apply its effects now. Nothing to do if not granted."""
    last = latest_record(session, user_id, purpose)
    if last is None or not last.granted:
        return None
    record = ConsentRecord(
        user_id=user_id, purpose=purpose, granted=False, at=now or utcnow(),
        text_version=last.text_version, text_sha256=last.text_sha256, language=last.language, channel=channel,
    )
    session.add(record)
    session.flush()
    for effect in WITHDRAWAL_EFFECTS[purpose]:
        effect(session, user_id)
    return record


def consenting_user_ids(session: Session, purpose: Purpose) -> Select:
    """A select of the ids of users whose current consent to ``purpose`` stands."""
    latest = (
        select(func.max(ConsentRecord.id).label("id"))
        .where(ConsentRecord.purpose == purpose).group_by(ConsentRecord.user_id).subquery()
    )
    version = select(func.max(ConsentText.version)).where(ConsentText.purpose == purpose).scalar_subquery()
    return (
        select(ConsentRecord.user_id)
        .join(latest, latest.c.id == ConsentRecord.id)
        .where(and_(ConsentRecord.granted, ConsentRecord.text_version == version))
    )


# --- what "My consents" shows --------------------------------------------------

@dataclass
class PurposeState:
    purpose: Purpose
    granted: bool
    outdated: bool  # granted on an older text: counts as not granted until re-read
    record: ConsentRecord | None
    agreed_text: ConsentText | None  # the exact text of the last grant
    current: ConsentText | None  # what a new grant would be given on


def states(session: Session, user: User, language: str) -> list[PurposeState]:
    result = []
    for purpose in Purpose:
        record = latest_record(session, user.id, purpose)
        current = current_text(session, purpose, language)
        agreed = None
        if record is not None:
            agreed = text_by_version(session, purpose, record.text_version, record.language)
        valid_version = current is not None and record is not None and record.text_version == current.version
        granted = bool(record and record.granted and valid_version)
        result.append(PurposeState(purpose, granted, bool(record and record.granted and not valid_version),
                                   record, agreed, current))
    return result


def history(session: Session, user_id: int) -> list[ConsentRecord]:
    return list(session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id).order_by(ConsentRecord.id.desc())))
