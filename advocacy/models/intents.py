"""Intents already carried out: what makes a repeated POST a no-op.

A form that creates something carries a single-use intent key (see
``advocacy/intents.py``). The first POST that carries it stores the key's
SHA-256 here, in the same transaction as what it creates; a repeat of the
same POST finds it and creates nothing. Only the digest and the day are
kept: no person, no row it created, so an anonymous share stays anonymous.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class UsedIntent(Base):
    __tablename__ = "used_intents"
    # The pruning job deletes by day.
    __table_args__ = (Index("ix_used_intents_day", "day"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
