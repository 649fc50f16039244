"""Once per intent: a repeated POST (reload, back and resend, double click) creates nothing twice.

The web layer issues a random key with each form that creates something and
hands it back here when the form comes back. ``claim`` stores the key's
digest in the caller's unit of work, before the creation: the first request
gets True and creates; a repeat gets False and creates nothing. A repeat
sent while the first is still running waits on the key (PostgreSQL's unique
index, SQLite's write lock), then finds it.

Keys are kept ``KEEP`` days (``forget_before``); the web layer refuses older
keys, so a forgotten key can never pass for a new one.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..db import changed_rows, insert_for
from ..models import UsedIntent

KEEP = timedelta(days=30)


def digest(key: str) -> str:
    # The key is random: its hash is enough to recognise it, and reveals nothing.
    return hashlib.sha256(key.encode()).hexdigest()


def claim(session: Session, key: str, today: date) -> bool:
    """True the first time this key comes back (the caller then creates); False for a repeat."""
    table = UsedIntent.__table__
    # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT DO NOTHING.
    statement = (insert_for(session)(table).values(digest=digest(key), day=today)
                 .on_conflict_do_nothing().returning(table.c.digest))
    return session.execute(statement).first() is not None


def forget_before(session: Session, day: date) -> int:
    """Drop the keys used before this day; how many went."""
    return changed_rows(session, delete(UsedIntent).where(UsedIntent.day < day))
