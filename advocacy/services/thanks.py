"""Thanks: to the whole network, or to one ambassador by name with their consent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session, selectinload

from ..models import NetworkThanks, Purpose, User
from . import ambassadors, consent, personal_data
from .errors import ServiceError


class ThanksError(ServiceError):
    area = "thanks"


def post(session: Session, message: str, today: date, thanked_user_id: int | None = None) -> NetworkThanks:
    """Post thanks; naming someone is refused unless they consented to it now."""
    if (thanked_user_id is not None
            and thanked_user_id not in {u.id for u in ambassadors.thankable_by_name(session, today)}):
        raise ThanksError("no_consent")
    thanks = NetworkThanks(message=message.strip(), thanked_user_id=thanked_user_id)
    session.add(thanks)
    session.flush()
    return thanks


# Read by every ambassador's home page: built once per process (building it cost more than running it).
_RECENT = (select(NetworkThanks).options(selectinload(NetworkThanks.thanked))
           .order_by(NetworkThanks.posted_at.desc(), NetworkThanks.id.desc()).limit(bindparam("limit")))


def recent(session: Session, limit: int = 20) -> list[NetworkThanks]:
    return list(session.scalars(_RECENT, {"limit": limit}))


def delete(session: Session, thanks: NetworkThanks) -> None:
    session.delete(thanks)


@consent.on_withdrawal(Purpose.NAMED_THANKS)
@personal_data.erasure_step
def remove_named_thanks(session: Session, user_id: int) -> None:
    """Thanks that name someone go when they withdraw that consent or leave."""
    session.execute(sql_delete(NetworkThanks).where(NetworkThanks.thanked_user_id == user_id))


@personal_data.export_section("thanks_received")
def export_thanks(session: Session, user: User) -> list[dict]:
    rows = session.scalars(select(NetworkThanks).where(NetworkThanks.thanked_user_id == user.id)
                           .order_by(NetworkThanks.posted_at))
    return [{"message": t.message, "posted_at": t.posted_at.isoformat()} for t in rows]
