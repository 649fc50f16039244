"""Mandate renewals: the notice 30 days before a mandate ends, and what curators may know.

An ambassador's mandate lasts about a year. From 30 days before it ends they
can renew or leave (``ambassadors.renewal_open``) and get one notice e-mail;
``renewal_notices`` is keyed by person *and* end date, so a renewal (a new
end date) starts a new cycle. A paused person gets the notice when the pause
is over, if the mandate has not ended by then. Past the end they are lapsed
(``ambassadors.is_lapsed``): inactive until they renew.

Curators see two counts over people, each under the k rule of ``anonymity``,
as bands of k (rule 4): mandates ending within 30 days and lapsed mandates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from ..models import AmbassadorProfile, DeliveryStatus, MailKind, Purpose, RenewalNotice, User
from . import ambassadors, anonymity, consent, mail_outbox, personal_data
from .anonymity import Band, Hidden
from .digest import claim, outcome_recorder

NOTICE_BEFORE = ambassadors.RENEWAL_WINDOW

mail_outbox.on_outcome(MailKind.RENEWAL_NOTICE)(outcome_recorder(RenewalNotice))


def due_notices(session: Session, today: date) -> list[tuple[User, AmbassadorProfile]]:
    """Active, unpaused ambassadors whose mandate ends within 30 days and who had no notice for it."""
    noticed = exists().where(RenewalNotice.user_id == User.id,
                             RenewalNotice.mandate_ends_on == AmbassadorProfile.mandate_ends_on)
    query = ambassadors.active_members(session, today, User, AmbassadorProfile).where(
        AmbassadorProfile.mandate_ends_on <= today + NOTICE_BEFORE,
        or_(AmbassadorProfile.paused_until.is_(None), AmbassadorProfile.paused_until < today),
        ~noticed,
    ).order_by(User.id)
    return [(user, profile) for user, profile in session.execute(query)]


def claim_notice(session: Session, user_id: int, mandate_ends_on: date, now: datetime) -> bool:
    return claim(session, RenewalNotice, {
        "user_id": user_id, "mandate_ends_on": mandate_ends_on, "status": DeliveryStatus.CLAIMED,
        "claimed_at": now})


@dataclass
class RenewalCounts:
    ending_soon: int | Hidden | Band
    lapsed: int | Hidden | Band


def renewals_due(session: Session, today: date, k: int) -> RenewalCounts:
    base = ambassadors.standing_members(session, func.count())
    ending = session.scalar(base.where(and_(ambassadors.mandate_in_force(today),
                                            AmbassadorProfile.mandate_ends_on <= today + NOTICE_BEFORE)))
    lapsed = session.scalar(base.where(~ambassadors.mandate_in_force(today)))
    return RenewalCounts(anonymity.band(ending or 0, k), anonymity.band(lapsed or 0, k))


@consent.on_withdrawal(Purpose.MEMBERSHIP)
def _drop_queued_notice(session: Session, user_id: int) -> None:
    """Someone who left is not told their mandate ends, even by a notice still in the outbox."""
    mail_outbox.drop_queued(session, user_id, (MailKind.RENEWAL_NOTICE,))


# --- the person's own data ---------------------------------------------------------

@personal_data.erasure_step
def erase_notices(session: Session, user_id: int) -> None:
    session.execute(delete(RenewalNotice).where(RenewalNotice.user_id == user_id))


@personal_data.export_section("renewal_notices")
def export_notices(session: Session, user: User) -> list[dict]:
    rows = session.scalars(select(RenewalNotice).where(RenewalNotice.user_id == user.id)
                           .order_by(RenewalNotice.mandate_ends_on))
    return [{"mandate_ends_on": r.mandate_ends_on.isoformat(), "status": r.status.value,
             "claimed_at": r.claimed_at.isoformat(), "sent_at": r.sent_at.isoformat() if r.sent_at else None}
            for r in rows]
