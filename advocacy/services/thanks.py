"""Thanks to the whole network. Named thanks wait for the consent service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import NetworkThanks


def post(session: Session, message: str) -> NetworkThanks:
    thanks = NetworkThanks(message=message.strip())
    session.add(thanks)
    session.flush()
    return thanks


def recent(session: Session, limit: int = 20) -> list[NetworkThanks]:
    return list(session.scalars(
        select(NetworkThanks).order_by(NetworkThanks.posted_at.desc(), NetworkThanks.id.desc()).limit(limit)
    ))


def delete(session: Session, thanks: NetworkThanks) -> None:
    session.delete(thanks)
