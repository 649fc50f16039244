"""Pulse surveys over HTTP: building, answering once, anonymous storage, the k rule on results."""

from datetime import timedelta

import pytest

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import Role, Survey, SurveyAnswer, SurveyParticipation, SurveyPendingResponse, SurveyResponse
from advocacy.services import clock, survey_pool, surveys
from program_helpers import people, switch_to

TODAY = clock.program_today("Europe/Paris")  # survey days are the program's (TIMEZONE's) days
DATES = {"opens_on": TODAY.isoformat(), "closes_on": (TODAY + timedelta(days=7)).isoformat()}


@pytest.fixture(autouse=True)
def english(client):
    # Assertions read the English texts; people without a setting follow the browser.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def from_template(client, language="en") -> int:
    response = client.post("/surveys/from-template", data={"language": language, **DATES})
    assert response.status_code == 302, response.data
    return int(response.headers["Location"].split("/")[-2])


def survey(app, survey_id) -> Survey:
    with app.app_context():
        found = get_session().get(Survey, survey_id)
        _ = found.questions  # load them before the session closes
        return found


def full_answer(found: Survey, scale="4", text="Keep the digest") -> dict:
    data = {}
    for question in found.questions:
        name = f"q-{question.id}"
        data[name] = {"scale": scale, "single": "1", "multiple": ["0", "2"], "text": text}[question.kind.value]
    return data


def answer_as_many(app, auth, survey_id, count, prefix="amb", text=lambda i: f"text {i}"):
    """Many ambassadors answer through the service (HTTP is tested once per path elsewhere)."""
    members = people(auth, Role.AMBASSADOR, count, prefix)
    with app.app_context():
        session = get_session()
        found = session.get(Survey, survey_id)
        for i, member in enumerate(members):
            raw = {q.id: {"scale": str(1 + i % 5), "single": "0", "multiple": ["1"], "text": text(i)}[q.kind.value]
                   for q in found.questions}
            submit(app, session, found, member, raw)
        session.commit()
    return members


def submit(app, session, found, member, raw):
    surveys.submit(session, found, member, raw, today=clock.program_today(app.config["TIMEZONE"]),
                   pool_key=survey_pool.pool_key(app.config["SECRET_KEY"]))


def close(client, auth, survey_id):
    switch_to(auth, auth.create_user(Role.CURATOR, email=f"closer{survey_id}@example.org"))
    assert client.post(f"/surveys/{survey_id}/close").status_code == 302


def test_template_in_both_languages(app, client, auth):
    auth.login_as(Role.CURATOR)
    english = survey(app, from_template(client, "en"))
    french = survey(app, from_template(client, "fr"))
    assert english.title == "Quarterly ambassador pulse" and french.title.startswith("Baromètre")
    assert [q.kind.value for q in english.questions] == ["scale", "scale", "single", "multiple", "text"]
    assert french.questions[2].options == ["Trop", "Ce qu'il faut", "Pas assez"]


def test_survey_from_scratch_with_questions(app, client, auth):
    auth.login_as(Role.CURATOR)
    response = client.post("/surveys/new", data={"title": "Tools", "intro": "", **DATES})
    survey_id = int(response.headers["Location"].split("/")[-2])
    bad = client.post(
        f"/surveys/{survey_id}/questions", data={"text": "Which network?", "kind": "single", "options": "Only one"}
    )
    assert bad.status_code == 400 and "Which network?" in bad.get_data(as_text=True)
    client.post(f"/surveys/{survey_id}/questions", data={"text": "Which network?", "kind": "single",
                                                         "options": "Mastodon\nLinkedIn\n"})
    assert survey(app, survey_id).questions[0].options == ["Mastodon", "LinkedIn"]


def test_dates_the_wrong_way_round_are_refused(client, auth):
    auth.login_as(Role.CURATOR)
    response = client.post("/surveys/new", data={"title": "Tools", "opens_on": DATES["closes_on"],
                                                 "closes_on": DATES["opens_on"]})
    assert response.status_code == 400 and 'value="Tools"' in response.get_data(as_text=True)


@pytest.mark.parametrize("method,path", [
    ("get", "/surveys/manage"), ("post", "/surveys/new"), ("post", "/surveys/from-template"),
    ("get", "/surveys/1/edit"), ("post", "/surveys/1/questions"), ("post", "/surveys/1/close"),
])
def test_ambassadors_cannot_build_surveys(client, auth, method, path):
    auth.login_as(Role.AMBASSADOR)
    assert getattr(client, method)(path, data={"title": "x", "language": "en", **DATES}).status_code == 403


def test_an_ambassador_answers_once_and_anonymously(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    found = survey(app, survey_id)
    member = auth.create_user(Role.AMBASSADOR)
    switch_to(auth, member)
    assert client.post(f"/surveys/{survey_id}", data=full_answer(found)).status_code == 302
    second = client.post(f"/surveys/{survey_id}", data=full_answer(found, scale="1"))
    assert second.status_code == 303
    assert "already answered" in client.get(second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        session = get_session()
        assert session.query(SurveyParticipation).one().user_id == member.id
        # The answers wait sealed until the survey is over (tests/test_survey_pool.py).
        assert session.query(SurveyPendingResponse).count() == 1 and session.query(SurveyResponse).count() == 0
    close(client, auth, survey_id)
    with app.app_context():
        jobs.count_survey_answers()
    with app.app_context():
        session = get_session()
        response = session.query(SurveyResponse).one()
        # Response days are event days: UTC, like share and click days; here the day it was counted.
        assert len(response.id) == 32 and response.counted_on == clock.utc_today()
        assert session.query(SurveyPendingResponse).count() == 0
        answers = {a.question_id: a for a in session.query(SurveyAnswer)}
        assert answers[found.questions[0].id].number == 4
        assert answers[found.questions[3].id].choices == [0, 2]
        assert answers[found.questions[4].id].text == "Keep the digest"


def test_the_service_refuses_a_second_answer(app, auth, client):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    member = answer_as_many(app, auth, survey_id, 1)[0]
    with app.app_context(), pytest.raises(surveys.SurveyError, match="already_answered"):
        session = get_session()
        submit(app, session, session.get(Survey, survey_id), member, {})


def test_missing_required_answer_keeps_the_others(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    found = survey(app, survey_id)
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    data = full_answer(found, text="My thoughtful remark")
    del data[f"q-{found.questions[0].id}"]
    response = client.post(f"/surveys/{survey_id}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "My thoughtful remark" in html and 'class="error"' in html
    with app.app_context():
        assert surveys.response_count(get_session(), found) == 0
        assert get_session().query(SurveyParticipation).count() == 0


def test_staff_do_not_answer(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    assert client.post(f"/surveys/{survey_id}", data=full_answer(survey(app, survey_id))).status_code == 403


def results_page(client, survey_id) -> str:
    return client.get(f"/surveys/{survey_id}/results").get_data(as_text=True)


def test_no_result_not_even_a_count_below_k(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_as_many(app, auth, survey_id, 4)  # k is 5 by default
    close(client, auth, survey_id)
    for viewer in (None, auth.create_user(Role.AMBASSADOR, email="viewer@example.org")):
        if viewer:
            switch_to(auth, viewer)
        html = results_page(client, survey_id)
        assert "at least 5 people" in html
        assert "4 answers" not in html and "<meter" not in html and "text 1" not in html


def test_no_result_while_the_survey_is_open_even_above_k(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_as_many(app, auth, survey_id, 6)
    html = results_page(client, survey_id)
    assert "<meter" not in html and "6 answers" not in html


def test_results_for_everyone_from_k_answers(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_as_many(app, auth, survey_id, 5)
    close(client, auth, survey_id)
    html = results_page(client, survey_id)
    assert "5 answers." in html and "Average: 3.0 / 5" in html
    switch_to(auth, auth.create_user(Role.AMBASSADOR, email="viewer@example.org"))
    html = results_page(client, survey_id)
    assert "<meter" in html and all(f"text {i}" in html for i in range(5))


def test_free_texts_need_k_writers_of_their_own(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    # Six answers, but only two people wrote something: the texts stay hidden.
    answer_as_many(app, auth, survey_id, 6, text=lambda i: f"secret remark {i}" if i < 2 else "")
    close(client, auth, survey_id)
    html = results_page(client, survey_id)
    assert "6 answers." in html
    assert "secret remark" not in html and "Fewer than 5 people answered this question" in html


class TestSmallerThreshold:
    @pytest.fixture
    def app_config(self):
        return {"MIN_GROUP_SIZE": 3}

    def test_the_threshold_is_the_configured_one(self, app, client, auth):
        auth.login_as(Role.CURATOR)
        survey_id = from_template(client)
        answer_as_many(app, auth, survey_id, 3)
        close(client, auth, survey_id)
        assert "3 answers." in results_page(client, survey_id)


def test_questions_freeze_once_someone_answered(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_as_many(app, auth, survey_id, 1)
    switch_to(auth, auth.create_user(Role.CURATOR, email="c2@example.org"))
    response = client.post(f"/surveys/{survey_id}/questions", data={"text": "New?", "kind": "text"})
    assert response.status_code == 400


def test_closed_survey_takes_no_answer(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    found = survey(app, survey_id)
    client.post(f"/surveys/{survey_id}/close")
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    assert client.post(f"/surveys/{survey_id}", data=full_answer(found)).status_code == 303
    with app.app_context():
        assert surveys.response_count(get_session(), found) == 0


def test_a_finished_survey_cannot_be_reopened(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    answer_as_many(app, auth, survey_id, 5)
    close(client, auth, survey_id)
    later = (TODAY + timedelta(days=30)).isoformat()
    response = client.post(f"/surveys/{survey_id}/edit", data={"title": "Again", **DATES, "closes_on": later})
    assert response.status_code == 400 and "cannot be reopened" in response.get_data(as_text=True)
    # The title may still be corrected.
    found = survey(app, survey_id)
    dates = {"opens_on": found.opens_on.isoformat(), "closes_on": found.closes_on.isoformat()}
    assert client.post(f"/surveys/{survey_id}/edit", data={"title": "Pulse Q1", **dates}).status_code == 302


def test_a_survey_still_to_come_is_hidden_from_ambassadors_questions_and_results(client, auth):
    auth.login_as(Role.CURATOR, language="en")
    later = {"opens_on": (TODAY + timedelta(days=3)).isoformat(), "closes_on": (TODAY + timedelta(days=9)).isoformat()}
    response = client.post("/surveys/from-template", data={"language": "en", **later})
    survey_id = int(response.headers["Location"].split("/")[-2])
    assert client.get(f"/surveys/{survey_id}/results").status_code == 200  # the team prepares it
    switch_to(auth, auth.create_user(Role.AMBASSADOR, email="early@example.org"))
    assert client.get(f"/surveys/{survey_id}").status_code == 404
    assert client.get(f"/surveys/{survey_id}/results").status_code == 404
