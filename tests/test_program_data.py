"""Program life and personal data: named thanks need consent; export and erasure
cover feedback, thanks and survey participation; coverage never shows small counts."""

from datetime import date, timedelta

from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import (
    Department,
    FeedbackItem,
    NetworkThanks,
    Purpose,
    Role,
    SurveyParticipation,
    SurveyPendingResponse,
    User,
)
from advocacy.services import ambassadors, clock, consent, survey_pool, surveys
from program_helpers import switch_to
from test_consent import grant
from test_feedback import send


def count(app, model):
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_named_thanks_only_to_those_who_agreed(app, client, auth):
    agreed = auth.create_user(Role.AMBASSADOR, email="yes@example.org", name="Yes Person")
    auth.create_user(Role.AMBASSADOR, email="no@example.org", name="No Person")
    grant(app, agreed, Purpose.NAMED_THANKS)
    auth.login_as(Role.CURATOR, language="en")
    page = client.get("/thanks/").get_data(as_text=True)
    assert "Yes Person" in page and "No Person" not in page  # only those who agreed can be picked
    response = client.post("/thanks/", data={"message": "Great post on Lyon!", "thanked": agreed.id})
    assert response.status_code == 302
    assert "Thank you, Yes Person!" in client.get("/thanks/").get_data(as_text=True)
    with app.app_context():
        nobody = get_session().scalar(select(User.id).where(User.email == "no@example.org"))
    refused = client.post("/thanks/", data={"message": "Hi", "thanked": nobody})
    assert refused.status_code == 400 and count(app, NetworkThanks) == 1


def test_withdrawing_named_thanks_consent_removes_the_thanks(app, client, auth):
    person = auth.create_user(Role.AMBASSADOR, email="yes@example.org", name="Yes Person")
    grant(app, person, Purpose.NAMED_THANKS)
    auth.login_as(Role.CURATOR, language="en")
    client.post("/thanks/", data={"message": "Thanks!", "thanked": person.id})
    client.post("/thanks/", data={"message": "Thanks to all!", "thanked": 0})
    with app.app_context():
        consent.withdraw(get_session(), person.id, Purpose.NAMED_THANKS)
        get_session().commit()
    html = client.get("/thanks/").get_data(as_text=True)
    assert "Yes Person" not in html and "Thanks to all!" in html


def test_export_and_erasure_cover_feedback_thanks_and_surveys(app, client, auth):
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org", name="Me Myself")
    grant(app, me, Purpose.NAMED_THANKS)
    with app.app_context():
        session = get_session()
        survey = surveys.create_from_template(session, "quarterly", "en", date.today() - timedelta(days=1),
                                              date.today() + timedelta(days=5))
        session.commit()
        survey_id = survey.id
    auth.login_as(Role.CURATOR, email="c@example.org", language="en")
    client.post("/thanks/", data={"message": "Brilliant idea, Me!", "thanked": me.id})
    switch_to(auth, me)
    send(client, body="A named idea about badges")
    send(client, body="An anonymous irritant", anonymous=True)
    with app.app_context():
        session = get_session()
        survey = session.get(surveys.Survey, survey_id)
        # A valid answer to each question: a scale value, the first option, or a word.
        answers = {q.id: ("ok" if q.kind.value == "text" else "0" if q.options else "4")
                   for q in survey.questions}
        surveys.submit(session, survey, session.get(User, me.id), answers,
                       today=clock.program_today(app.config["TIMEZONE"]),
                       pool_key=survey_pool.pool_key(app.config["SECRET_KEY"]))
        session.commit()
    data = client.get("/me/data/export.json").get_json()
    assert [f["body"] for f in data["feedback"]] == ["A named idea about badges"]
    assert [t["message"] for t in data["thanks_received"]] == ["Brilliant idea, Me!"]
    assert len(data["survey_participations"]) == 1
    assert count(app, SurveyPendingResponse) == 1  # sealed until the survey is over

    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    with app.app_context():
        session = get_session()
        bodies = list(session.scalars(select(FeedbackItem.body)))
        assert bodies == ["An anonymous irritant"]  # their named text is gone; anonymous stays anonymous
    assert count(app, NetworkThanks) == 0
    assert count(app, SurveyParticipation) == 0
    assert count(app, SurveyPendingResponse) == 1  # anonymous answers stay in the results


def department_with(app, auth, name, headcount, members):
    with app.app_context():
        session = get_session()
        department = Department(name=name, headcount=headcount)
        session.add(department)
        session.commit()
        department_id = department.id
    for i in range(members):
        user = auth.create_user(Role.AMBASSADOR, email=f"{name.lower()}{i}@example.org")
        with app.app_context():
            session = get_session()
            ambassadors.profile_of(session, user.id).department_id = department_id
            session.commit()


def test_coverage_hides_small_counts(app, client, auth):
    department_with(app, auth, "Finance", 600, 5)
    department_with(app, auth, "Legal", 90, 2)
    department_with(app, auth, "Research", 40, 0)
    auth.login_as(Role.CURATOR, language="en")
    html = client.get("/admin/program/coverage").get_data(as_text=True)
    finance = html.split("Finance")[1].split("</tr>")[0]
    legal = html.split("Legal")[1].split("</tr>")[0]
    research = html.split("Research")[1].split("</tr>")[0]
    # 5 reads as the band 5–9 (services.anonymity rule 4), the ratio as 600/9 to 600/5.
    assert ">5–9<" in finance and ">67–120<" in finance and "Within the usual range" in finance
    assert "fewer than 5" in legal and ">2<" not in legal and ">45<" not in legal
    assert "No ambassador" in research


def test_ambassadors_do_not_see_coverage(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/admin/program/coverage").status_code == 403
