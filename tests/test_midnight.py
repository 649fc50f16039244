"""Midnight in the program's zone, with the server's clock set to another zone.

The same program is looked at half an hour before and half an hour after
midnight in Paris (the TIMEZONE): a mandate ends that day, a survey closes
that day, and the digest goes out on Mondays at 00:00. At 23:30 the mandate
is in force everywhere: the person gets the digest and the renewal notice,
reaches their home page, and the survey takes answers. At 00:30 they are
lapsed everywhere: no digest, no notice, the lapsed page, the survey closed.
The digest's week starts on the Monday of the program's day.

The server's own zone is California's or Kiritimati's (UTC-7 and UTC+14 in
June): each puts the server's calendar on another date than the program's
at one of the two moments, which is when ``date.today()`` used to decide.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy import mailings
from advocacy.db import get_session
from advocacy.models import DigestDelivery, Purpose, QuestionType, Role, SurveyPendingResponse
from advocacy.services import clock, digest, surveys
from digest_helpers import BASE_URL, grant, publish, set_profile, smtp  # noqa: F401
from mail_helpers import send_queued_mail
from program_helpers import switch_to

PROGRAM_ZONE = "Europe/Paris"
SUNDAY = date(2031, 6, 15)  # the mandate's last day, the survey's last day
MONDAY = SUNDAY + timedelta(days=1)
BEFORE = datetime(2031, 6, 15, 23, 30)  # wall-clock times in Paris
AFTER = datetime(2031, 6, 16, 0, 30)
SERVER_ZONES = ["America/Los_Angeles", "Pacific/Kiritimati"]


@pytest.fixture
def app_config(smtp):
    return {"TIMEZONE": PROGRAM_ZONE, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL}


@pytest.fixture(params=SERVER_ZONES)
def server_zone(request):
    """The process's own zone (what date.today() and localtime read), restored after."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def at(local: datetime):
    """Travel to this wall-clock time in Paris. Given as a timestamp: handed an
    aware datetime, time-machine would also set the process's zone (to UTC for
    a UTC one), and the server's zone set by ``server_zone`` would be lost."""
    return time_machine.travel(clock.to_utc(local, PROGRAM_ZONE).timestamp())


def test_the_server_calendar_is_not_the_program_calendar_at_one_of_the_two_moments(server_zone):
    agreements = []
    for local in (BEFORE, AFTER):
        with at(local):
            assert clock.program_today(PROGRAM_ZONE) == local.date()
            # The server's calendar is its own zone's, as it would be in production.
            assert date.today() == clock.now().astimezone(clock.zone(server_zone)).date()
            agreements.append(date.today() == local.date())
    assert sorted(agreements) == [False, True]  # so each server zone catches one of the moments


def arrange(app, auth):
    """The program at the moment travelled to: two ambassadors, two weeks of highlights, a survey."""
    ending = auth.create_user(Role.AMBASSADOR, email="ending@example.org", name="Ending", language="en")
    staying = auth.create_user(Role.AMBASSADOR, email="staying@example.org", name="Staying", language="en")
    set_profile(app, ending, mandate_ends_on=SUNDAY)
    set_profile(app, staying, mandate_ends_on=SUNDAY + timedelta(days=200))
    for person in (ending, staying):
        grant(app, person, Purpose.DIGEST)
    # One highlight for each digest week: the one starting Monday 9 June, and the one starting Monday 16.
    for title, day in (("Last week's highlight", date(2031, 6, 8)), ("This week's highlight", SUNDAY)):
        publish(app, title, clock.to_utc(datetime.combine(day, dt_time(12)), PROGRAM_ZONE), highlighted=True)
    with app.app_context():
        session = get_session()
        digest.set_schedule(session, weekday=0, hour=0)  # Mondays at midnight, program time
        draft = surveys.SurveyDraft("Pulse", "", opens_on=SUNDAY - timedelta(days=7), closes_on=SUNDAY)
        survey = surveys.create_survey(session, draft)
        question = surveys.add_question(session, survey, QuestionType.SCALE, "How is it going?", [])
        session.commit()
        return ending, staying, survey.id, question.id


@pytest.mark.parametrize("local", [BEFORE, AFTER], ids=["23:30", "00:30"])
def test_digest_notices_lapsed_page_and_survey_agree_on_the_program_day(app, client, auth, smtp, server_zone,
                                                                       local):
    program_day = local.date()
    still_sunday = program_day == SUNDAY  # the mandate's and the survey's last day, in Paris
    with at(local):
        ending, staying, survey_id, question_id = arrange(app, auth)

        with app.app_context():
            assert mailings.send_digests().queued > 0
            weeks = set(get_session().scalars(select(DigestDelivery.week_start)))
            notices = mailings.send_renewal_notices().queued
        send_queued_mail(app)
        digested = {message["To"] for message in smtp.messages if "week" in message["Subject"]}

        auth.login(ending.email, "ambassador-password")
        home = client.get("/")
        lapsed = home.status_code == 302 and home.headers["Location"] == "/me/mandate-ended"

        switch_to(auth, staying)
        answer = client.post(f"/surveys/{survey_id}", data={f"q-{question_id}": "4"})
        with app.app_context():
            responses = get_session().scalar(select(func.count()).select_from(SurveyPendingResponse))

    # The digest and the lapsed page agree with each other, and with the program's day.
    assert ("ending@example.org" in digested) is still_sunday
    assert lapsed is not still_sunday
    assert home.status_code == (302 if lapsed else 200)
    assert "staying@example.org" in digested
    assert weeks == {program_day - timedelta(days=program_day.weekday())}  # the Monday of the program's week
    assert notices == (1 if still_sunday else 0)  # due 30 days before the end, never once lapsed
    # The survey closes at the end of its last day in Paris (the answer waits sealed until it is counted).
    if still_sunday:
        assert answer.status_code == 302 and responses == 1  # 21:30 UTC
    else:
        assert answer.status_code == 303 and responses == 0
