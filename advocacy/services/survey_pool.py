"""Survey answers below the schema: sealed while the survey runs, counted in one batch once it is over.

The participation row ("has answered") and the answers are written in the
same transaction, so that an answer is never lost and nobody answers twice.
Anything written in one transaction shares its transaction id (PostgreSQL's
``xmin``), sits next to the other rows of that moment in storage and in the
write-ahead log, and has the same commit time; rows written in two
transactions by one request are still neighbours in id and time. So the
answers written with the participation are *sealed*: encrypted with a key
derived from the app's SECRET_KEY, which the database never holds, and
padded so that every sealed response of a survey has the same length.

Once the survey is over, ``release`` opens all of its sealed responses and
writes them to ``survey_responses``/``survey_answers`` in one transaction,
in random order, under that day, and deletes the sealed rows. Each
response's ``xmin``, position and day then name the batch, the whole
survey, never a person. ``vacuum`` (PostgreSQL) then reclaims the deleted
sealed rows. docs/privacy.md ("Survey answers below the schema") states
what this does and does not protect against.
"""

from __future__ import annotations

import json
import os
import random
import struct
from datetime import date

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from ..models import Survey, SurveyAnswer, SurveyPendingResponse, SurveyResponse
from . import anonymity

# Answers as stored: question id -> {"number": n} | {"choices": [...]} | {"text": "..."}
Answers = dict[int, dict]

KEY_INFO = b"relais/survey-pool/v1"  # a key for this use only, whatever else SECRET_KEY signs
NONCE_BYTES = 12
LENGTH = struct.Struct(">I")  # the answers' length, before the padding


def pool_key(secret_key: str | bytes) -> bytes:
    """The key that seals pending answers, derived from the app's SECRET_KEY (never stored)."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret)


def _survey_label(survey_id: int) -> bytes:
    # Authenticated with the ciphertext: a sealed response counts for its own survey only.
    return f"survey:{survey_id}".encode()


def seal(key: bytes, survey_id: int, answers: Answers, size: int) -> bytes:
    """Encrypt ``answers``, padded to ``size`` bytes so that the length of what was written says nothing."""
    plain = json.dumps({str(qid): value for qid, value in answers.items()},
                       ensure_ascii=False, separators=(",", ":")).encode()
    if LENGTH.size + len(plain) > size:
        raise ValueError(f"answers of {len(plain)} bytes do not fit the survey's sealed size {size}")
    padded = LENGTH.pack(len(plain)) + plain + bytes(size - LENGTH.size - len(plain))
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, padded, _survey_label(survey_id))


def unseal(key: bytes, survey_id: int, sealed: bytes) -> Answers:
    """The answers ``seal`` encrypted; cryptography's InvalidTag if the key or the survey differ."""
    padded = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _survey_label(survey_id))
    (length,) = LENGTH.unpack_from(padded)
    stored = json.loads(padded[LENGTH.size:LENGTH.size + length])
    return {int(qid): value for qid, value in stored.items()}


def hold(session: Session, key: bytes, survey_id: int, answers: Answers, size: int) -> None:
    """Add one person's answers, sealed, to the survey's pending pool (in the caller's transaction)."""
    session.add(SurveyPendingResponse(survey_id=survey_id, sealed=seal(key, survey_id, answers, size)))


def pending_count(session: Session, survey_id: int) -> int:
    return session.scalar(select(func.count()).select_from(SurveyPendingResponse)
                          .where(SurveyPendingResponse.survey_id == survey_id)) or 0


def pending_answers(session: Session, key: bytes, survey_id: int) -> list[Answers]:
    """The sealed responses of a survey, opened in memory (results count them before the batch is written)."""
    sealed = session.scalars(select(SurveyPendingResponse.sealed)
                             .where(SurveyPendingResponse.survey_id == survey_id))
    return [unseal(key, survey_id, blob) for blob in sealed]


def release(session: Session, key: bytes, survey: Survey, counted_on: date, k: int) -> int:
    """Write a finished survey's sealed responses as responses, all in one shuffled batch; how many.

    In the caller's transaction, which should hold nothing else of the
    survey's. The survey row is locked first: a submission in flight holds
    it (see ``surveys.submit``) until it commits, so none lands after the
    batch. Should one land anyway, it stays sealed until k of them are
    waiting: alone, it would be a batch of one, which names its author.
    """
    session.refresh(survey, ["closed_early"], with_for_update=True)
    pending = list(session.scalars(select(SurveyPendingResponse)
                                   .where(SurveyPendingResponse.survey_id == survey.id)))
    if not pending:
        return 0
    counted_before = session.scalar(select(func.count()).select_from(SurveyResponse)
                                    .where(SurveyResponse.survey_id == survey.id))
    if counted_before and not anonymity.enough(len(pending), k):
        return 0
    batch = [unseal(key, survey.id, row.sealed) for row in pending]
    # The system source: storage order must not follow the order of arrival.
    random.SystemRandom().shuffle(batch)
    for answers in batch:
        response = SurveyResponse(survey_id=survey.id, counted_on=counted_on)
        response.answers = [SurveyAnswer(question_id=qid, **value) for qid, value in answers.items()]
        session.add(response)
    session.flush()
    session.execute(delete(SurveyPendingResponse)
                    .where(SurveyPendingResponse.id.in_([row.id for row in pending])))
    return len(batch)


def vacuum(engine: Engine) -> None:
    """PostgreSQL: reclaim the deleted sealed rows now rather than at autovacuum's leisure.

    VACUUM cannot run inside a transaction, hence its own connection in
    autocommit. SQLite has nothing to do: its deleted rows held only
    ciphertext, and a whole-file VACUUM would cost more than it gives.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM {SurveyPendingResponse.__tablename__}")
