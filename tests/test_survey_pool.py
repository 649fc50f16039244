"""Survey answers below the schema: nothing in the database pairs a response with a participation.

Read as someone with the database and not the app would: rows, bytes on
disk, PostgreSQL's transaction ids (xmin) and the days kept. The answers
wait sealed, then all of a finished survey's are counted in one shuffled
batch (docs/privacy.md, "Survey answers below the schema").
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import func, select, text

from advocacy import jobs
from advocacy.db import get_engine, get_session
from advocacy.models import Role, Survey, SurveyAnswer, SurveyParticipation, SurveyPendingResponse, SurveyResponse
from advocacy.services import clock, survey_pool, surveys
from program_helpers import people, switch_to
from test_surveys import close, from_template, full_answer, results_page, survey

PEOPLE = 6


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def answer_one_by_one(client, auth, app, survey_id, count=PEOPLE, prefix="amb"):
    """Each ambassador answers through the app, one request (one transaction) each, as in real life."""
    found = survey(app, survey_id)
    members = people(auth, Role.AMBASSADOR, count, prefix)
    for i, member in enumerate(members):
        switch_to(auth, member)
        answer = full_answer(found, scale=str(1 + i % 5), text=f"secret-remark-{prefix}-{i}")
        assert client.post(f"/surveys/{survey_id}", data=answer).status_code == 302
    return members


def rows(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def postgresql(app) -> bool:
    with app.app_context():
        return get_engine().dialect.name == "postgresql"


def xmins(app, table) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(text(f"SELECT xmin::text FROM {table}")))


def count_finished(app):
    with app.app_context():
        jobs.count_survey_answers()


def test_until_the_end_the_database_holds_only_sealed_answers_of_one_length(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_one_by_one(client, auth, app, survey_id)
    assert rows(app, SurveyParticipation) == PEOPLE
    assert rows(app, SurveyResponse) == 0 and rows(app, SurveyAnswer) == 0
    with app.app_context():
        sealed = list(get_session().scalars(select(SurveyPendingResponse.sealed)))
        url = get_engine().url
    assert len(sealed) == PEOPLE and len({len(blob) for blob in sealed}) == 1  # short or long, one length
    assert not any(b"secret-remark" in blob for blob in sealed)
    if url.get_backend_name() == "sqlite":
        # Not in any page of the file or of its write-ahead log either.
        files = [Path(path) for path in (url.database, f"{url.database}-wal") if path and os.path.exists(path)]
        stored = b"".join(path.read_bytes() for path in files)
        assert b"Quarterly ambassador pulse" in stored  # the survey's title is there: the bytes are read
        assert b"secret-remark" not in stored


def test_counted_in_one_batch_that_pairs_with_no_one(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_one_by_one(client, auth, app, survey_id)
    close(client, auth, survey_id)
    count_finished(app)

    assert rows(app, SurveyResponse) == PEOPLE and rows(app, SurveyPendingResponse) == 0
    with app.app_context():
        days = set(get_session().scalars(select(SurveyResponse.counted_on)))
    assert days == {clock.utc_today()}  # the batch's day, not each arrival's
    if postgresql(app):
        participations = xmins(app, "survey_participations")
        assert len(set(participations)) == PEOPLE  # one request, one transaction each
        batch = set(xmins(app, "survey_responses")) | set(xmins(app, "survey_answers"))
        assert len(batch) == 1 and not batch & set(participations)
        # The deleted sealed rows are vacuumed away, from the table and its TOAST table.
        with app.app_context():
            sizes = get_session().execute(text(
                "SELECT pg_relation_size(oid), pg_relation_size(reltoastrelid) FROM pg_class"
                " WHERE relname = 'survey_pending_responses'")).one()
        assert tuple(sizes) == (0, 0)

    html = results_page(client, survey_id)
    assert f"{PEOPLE} answers." in html
    assert all(f"secret-remark-amb-{i}" in html for i in range(PEOPLE))


def test_results_count_sealed_answers_before_the_batch(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_one_by_one(client, auth, app, survey_id, count=5)
    close(client, auth, survey_id)
    before = results_page(client, survey_id)  # the job has not run yet
    assert "5 answers." in before and "Average: 3.0 / 5" in before
    count_finished(app)
    after = results_page(client, survey_id)
    assert "5 answers." in after and "Average: 3.0 / 5" in after


def test_nobody_answers_twice_before_or_after_the_batch(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    found = survey(app, survey_id)
    member = auth.create_user(Role.AMBASSADOR)
    switch_to(auth, member)
    assert client.post(f"/surveys/{survey_id}", data=full_answer(found)).status_code == 302
    assert client.post(f"/surveys/{survey_id}", data=full_answer(found)).status_code == 303
    assert rows(app, SurveyPendingResponse) == 1


def test_a_survey_closed_by_its_dates_is_counted_a_day_later(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_one_by_one(client, auth, app, survey_id, count=2)
    key = survey_pool.pool_key(app.config["SECRET_KEY"])
    with app.app_context():
        session = get_session()
        found = session.get(Survey, survey_id)
        last_day = found.closes_on
        # The answer of a request begun on the last day may still be on its way the next day.
        assert surveys.release_finished(session, key, today=last_day + timedelta(days=1),
                                        counted_on=clock.utc_today(), k=5) == 0
        assert surveys.release_finished(session, key, today=last_day + timedelta(days=2),
                                        counted_on=clock.utc_today(), k=5) == 2
        session.commit()
    assert rows(app, SurveyResponse) == 2


def test_a_late_answer_is_never_a_batch_of_its_own(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_one_by_one(client, auth, app, survey_id, count=5)
    close(client, auth, survey_id)
    count_finished(app)
    key = survey_pool.pool_key(app.config["SECRET_KEY"])
    with app.app_context():
        session = get_session()
        found = session.get(Survey, survey_id)
        # Locks keep this from happening; were it to happen, it would stay sealed, and still count.
        survey_pool.hold(session, key, survey_id, {found.questions[0].id: {"number": 5}}, 4096)
        session.commit()
    count_finished(app)
    assert rows(app, SurveyPendingResponse) == 1 and rows(app, SurveyResponse) == 5
    assert "6 answers." in results_page(client, survey_id)


def test_sealed_answers_open_only_with_the_key_and_for_their_survey():
    key = survey_pool.pool_key("one secret")
    answers = {3: {"text": "é" * 10}, 4: {"choices": [0, 2]}}
    sealed = survey_pool.seal(key, 7, answers, 1024)
    assert survey_pool.unseal(key, 7, sealed) == answers
    assert len(survey_pool.seal(key, 7, {3: {"number": 1}}, 1024)) == len(sealed)
    with pytest.raises(InvalidTag):
        survey_pool.unseal(survey_pool.pool_key("another secret"), 7, sealed)
    with pytest.raises(InvalidTag):
        survey_pool.unseal(key, 8, sealed)


def test_the_longest_answers_fit_the_sealed_size(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    found = survey(app, survey_id)
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    # Characters JSON writes as six bytes each, as many as a text may hold.
    longest = full_answer(found, text="\x01" * surveys.MAX_TEXT)
    assert client.post(f"/surveys/{survey_id}", data=longest).status_code == 302
    assert rows(app, SurveyPendingResponse) == 1


def test_erasure_keeps_the_answers_and_export_lists_only_the_participation(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    members = answer_one_by_one(client, auth, app, survey_id, count=5)
    close(client, auth, survey_id)
    count_finished(app)
    # One of those who answered: their export says which survey, and nothing of what they said.
    switch_to(auth, members[0])
    export = client.get("/me/data/export.json").get_json()
    assert export["survey_participations"] == [{"survey": "Quarterly ambassador pulse"}]
    assert "secret-remark" not in str(export)
    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert rows(app, SurveyParticipation) == 4 and rows(app, SurveyResponse) == 5
