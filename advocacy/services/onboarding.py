"""The new ambassador's guided first steps, and where someone who stopped halfway resumes.

The journey (DESIGN §3): invitation → charter → consents → "about you" →
the feed. Where a person stands is read from what they have already
decided, never kept as a separate cursor: no membership yet → the charter;
a profile not yet onboarded → the consents, or "about you" once they have
decided on any consent; ``onboarded_at`` set → done. Skipping "about you"
finishes the steps too: every choice stays open on the profile page.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import ConsentRecord, Purpose, User
from . import ambassadors


class Step(enum.Enum):
    """Numbered as the progress indicator shows them; the invitation (the account) is step 1."""

    ACCOUNT = 1
    CHARTER = 2
    CONSENTS = 3
    ABOUT = 4
    DONE = 5


STEP_COUNT = Step.ABOUT.value


def current_step(session: Session, user: User, consents_in_force: frozenset[Purpose]) -> Step:
    """Where the person resumes (consents_in_force: consent.in_force)."""
    profile = ambassadors.profile_of(session, user.id)
    if profile is None or ambassadors.needs_charter(user, consents_in_force):
        return Step.CHARTER
    if profile.onboarded_at is not None:
        return Step.DONE
    decided = session.scalar(select(exists().where(
        ConsentRecord.user_id == user.id, ConsentRecord.purpose != Purpose.MEMBERSHIP)))
    return Step.ABOUT if decided else Step.CONSENTS


def finish(session: Session, user_id: int, now: datetime) -> bool:
    """The guided steps are over (done or skipped); False if there is no profile to mark."""
    profile = ambassadors.profile_of(session, user_id)
    if profile is None:
        return False
    if profile.onboarded_at is None:  # a repeat keeps the first time
        profile.onboarded_at = now
    session.flush()
    return True
