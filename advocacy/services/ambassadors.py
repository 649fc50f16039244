"""The ambassador's journey: joining on the charter, profile, pause, renewal, leaving, directory."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..models import (
    AmbassadorProfile,
    ConsentText,
    Department,
    Need,
    Purpose,
    Role,
    Topic,
    User,
    ambassador_needs,
    ambassador_topics,
    utcnow,
)
from . import consent
from .errors import ServiceError
from .networks import NETWORKS

DEFAULT_MANDATE_MONTHS = 12
RENEWAL_WINDOW = timedelta(days=30)
# A host name: labels of letters, digits and hyphens (IDNA already applied).
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class ProfileError(ServiceError):
    area = "ambassadors"


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def needs_charter(user: User, consents_in_force: frozenset[Purpose]) -> bool:
    """An ambassador whose membership does not stand on the current charter (consents: consent.in_force)."""
    return user.role == Role.AMBASSADOR and Purpose.MEMBERSHIP not in consents_in_force


def profile_of(session: Session, user_id: int) -> AmbassadorProfile | None:
    return session.get(AmbassadorProfile, user_id)


def accept_charter(session: Session, user: User, charter: ConsentText, today: date) -> AmbassadorProfile:
    """The membership consent; creates the profile (or renews it after leaving)."""
    if charter.purpose != Purpose.MEMBERSHIP:
        raise ValueError("not a charter")
    consent.grant(session, user, charter)
    profile = profile_of(session, user.id)
    months = charter.mandate_months or DEFAULT_MANDATE_MONTHS
    if profile is None:
        profile = AmbassadorProfile(user_id=user.id, mandate_ends_on=add_months(today, months), networks=[])
        session.add(profile)
    elif profile.left_at is not None or profile.mandate_ends_on < today:
        profile.left_at = None
        profile.joined_at = utcnow()
        profile.mandate_ends_on = add_months(today, months)
    session.flush()
    return profile


def validate_mastodon_instance(value: str | None) -> str | None:
    """'mastodon.social', 'https://Piaille.fr/' → a bare lower-case host name; else ProfileError."""
    value = (value or "").strip()
    if not value:
        return None
    value = re.sub(r"^https?://", "", value, flags=re.IGNORECASE).rstrip("/")
    if value.startswith("@"):  # '@user@instance' pasted whole
        value = value.rsplit("@", 1)[-1]
    try:
        host = value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ProfileError("invalid_instance", field="mastodon_instance") from None
    labels = host.split(".")
    if (len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels)
            or labels[-1].isdigit()):
        raise ProfileError("invalid_instance", field="mastodon_instance")
    return host


@dataclass
class ProfileChanges:
    networks: list[str]
    mastodon_instance: str | None
    department_id: int | None
    language: str | None
    paused_until: date | None
    need_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)


def update_profile(session: Session, user: User, changes: ProfileChanges, today: date) -> AmbassadorProfile:
    profile = profile_of(session, user.id)
    if profile is None:
        raise ProfileError("no_profile")
    networks = [n for n in NETWORKS if n in set(changes.networks)]
    instance = validate_mastodon_instance(changes.mastodon_instance)
    if "mastodon" in networks and instance is None:
        raise ProfileError("instance_required", field="mastodon_instance")
    if changes.department_id is not None and session.get(Department, changes.department_id) is None:
        raise ProfileError("unknown_department", field="department")
    if changes.paused_until is not None and changes.paused_until < today:
        raise ProfileError("pause_in_past", field="paused_until")
    profile.networks = networks
    profile.mastodon_instance = instance if "mastodon" in networks else None
    profile.department_id = changes.department_id
    profile.paused_until = changes.paused_until
    user.language = changes.language
    _replace_links(session, ambassador_needs, "need_id", user.id,
                   set(session.scalars(select(Need.id).where(Need.id.in_(changes.need_ids)))))
    _replace_links(session, ambassador_topics, "topic_id", user.id,
                   set(session.scalars(select(Topic.id).where(Topic.id.in_(changes.topic_ids)))))
    session.flush()
    return profile


def _replace_links(session: Session, table, column: str, user_id: int, ids: set[int]) -> None:
    session.execute(delete(table).where(table.c.user_id == user_id))
    if ids:
        session.execute(insert(table), [{"user_id": user_id, column: i} for i in sorted(ids)])


def chosen_need_ids(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(ambassador_needs.c.need_id).where(ambassador_needs.c.user_id == user_id)))


def chosen_topic_ids(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(ambassador_topics.c.topic_id).where(ambassador_topics.c.user_id == user_id)))


def renewal_open(profile: AmbassadorProfile, today: date) -> bool:
    """Renew and leave are offered from 30 days before the mandate ends."""
    return profile.mandate_ends_on - today <= RENEWAL_WINDOW


def renew(session: Session, user: User, today: date) -> AmbassadorProfile:
    profile = profile_of(session, user.id)
    if profile is None or not renewal_open(profile, today):
        raise ProfileError("renewal_not_open")
    charter = consent.current_text(session, Purpose.MEMBERSHIP, user.language or "fr")
    months = (charter.mandate_months if charter else None) or DEFAULT_MANDATE_MONTHS
    profile.mandate_ends_on = add_months(max(profile.mandate_ends_on, today), months)
    session.flush()
    return profile


def leave(session: Session, user: User) -> None:
    """Leave the program, keeping the account: membership withdrawn, out of every list."""
    consent.withdraw(session, user.id, Purpose.MEMBERSHIP)
    profile = profile_of(session, user.id)
    if profile is not None and profile.left_at is None:  # a repeat keeps the day they left
        profile.left_at = utcnow()
        profile.paused_until = None
    session.flush()


@dataclass
class DirectoryEntry:
    name: str
    department: str | None
    networks: list[str]
    mastodon_instance: str | None


def directory(session: Session, today: date) -> list[DirectoryEntry]:
    """Active ambassadors who consented to be listed, and only them."""
    listed = consent.consenting_user_ids(session, Purpose.DIRECTORY)
    rows = session.execute(
        active_members(session, today, User.name, Department.name, AmbassadorProfile.networks,
                        AmbassadorProfile.mastodon_instance)
        .outerjoin(Department, Department.id == AmbassadorProfile.department_id)
        .where(User.id.in_(listed))
        .order_by(User.name)
    )
    return [DirectoryEntry(name, department, list(networks or []), instance)
            for name, department, networks, instance in rows]


def mandate_in_force(today: date):
    """SQL: the mandate ends today or later. Past its end an ambassador is *lapsed*."""
    return AmbassadorProfile.mandate_ends_on >= today


def is_lapsed(profile: AmbassadorProfile, today: date) -> bool:
    """Still a member (not left) but the mandate has ended: inactive until they renew.

    A lapsed ambassador gets no digest, is not listed, not counted as active,
    and on signing in sees only the offer to renew or leave.
    """
    return profile.left_at is None and profile.mandate_ends_on < today


def standing_members(session: Session, *columns):
    """Ambassadors whose membership stands and who have not left, lapsed or not."""
    return (
        select(*(columns or (User,))).select_from(User)
        .join(AmbassadorProfile, AmbassadorProfile.user_id == User.id)
        .where(User.active, User.role == Role.AMBASSADOR, AmbassadorProfile.left_at.is_(None),
               User.id.in_(consent.consenting_user_ids(session, Purpose.MEMBERSHIP)))
    )


def active_members(session: Session, today: date, *columns):
    """Ambassadors whose membership stands, whose mandate is in force, and who have not left."""
    return standing_members(session, *columns).where(mandate_in_force(today))


def active_member_ids(session: Session, today: date):
    """A select of the ids of active ambassadors (the one definition other areas reuse)."""
    return active_members(session, today, User.id)


def is_active_member(session: Session, user_id: int, today: date) -> bool:
    """Whether this person is an active ambassador today (``active_members``): one statement."""
    return session.scalar(active_members(session, today, User.id).where(User.id == user_id)) is not None


def digest_recipients_query(session: Session, today: date):
    """Who may get the digest: consent given, membership standing, mandate in force, not paused."""
    return active_members(session, today).where(
        User.id.in_(consent.consenting_user_ids(session, Purpose.DIGEST)),
        (AmbassadorProfile.paused_until.is_(None)) | (AmbassadorProfile.paused_until < today),
    )


def digest_recipients(session: Session, today: date) -> list[User]:
    return list(session.scalars(digest_recipients_query(session, today).order_by(User.id)))


def thankable_by_name(session: Session, today: date) -> list[User]:
    """The only people a curator may thank by name: those who said yes to it."""
    query = active_members(session, today).where(
        User.id.in_(consent.consenting_user_ids(session, Purpose.NAMED_THANKS)))
    return list(session.scalars(query.order_by(User.name)))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.name)))
