"""Mandate renewals: one notice 30 days before the end, the lapsed state, the curators' counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy import mailings
from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, DeliveryStatus, Purpose, RenewalNotice, Role, User, utcnow
from advocacy.services import ambassadors, coverage
from digest_helpers import BASE_URL, grant, local_today, next_monday, publish, set_profile, smtp  # noqa: F401
from mail_helpers import send_queued_mail
from program_helpers import switch_to


@pytest.fixture
def app_config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL}


def notices(app, now=None):
    """The renewal job, then the send-mail job: how many notices were queued."""
    with app.app_context():
        queued = mailings.send_renewal_notices(now=now).queued
    send_queued_mail(app)
    return queued


def profile(app, user) -> AmbassadorProfile:
    with app.app_context():
        return get_session().get(AmbassadorProfile, user.id)


def test_one_notice_30_days_before_the_end_and_again_after_a_renewal(app, auth, smtp):
    today = local_today()
    due = auth.create_user(Role.AMBASSADOR, email="due@example.org", name="Due", language="en")
    later = auth.create_user(Role.AMBASSADOR, email="later@example.org", name="Later", language="fr")
    set_profile(app, due, mandate_ends_on=today + timedelta(days=30))
    set_profile(app, later, mandate_ends_on=today + timedelta(days=31))

    assert notices(app) == 1
    assert notices(app) == 0  # the job runs again (hourly): once per mandate
    [message] = smtp.messages
    assert message["To"] == "due@example.org"
    assert message["Subject"] == "Your Relais mandate ends soon"
    body = message.get_content()
    assert f"{BASE_URL}/me/profile" in body and "renew" in body

    # A day later the other one is due, in French.
    tomorrow = utcnow() + timedelta(days=1)
    assert notices(app, tomorrow) == 1
    assert smtp.messages[1]["To"] == "later@example.org"
    assert smtp.messages[1]["Subject"] == "Votre mandat d'ambassadeur·rice de Relais se termine bientôt"

    # Renewing starts a new cycle: a notice 30 days before the new end, not before.
    with app.app_context():
        session = get_session()
        renewed = ambassadors.renew(session, session.get(User, due.id), today)
        session.commit()
        new_end = renewed.mandate_ends_on
    assert new_end > today + timedelta(days=300)
    assert notices(app, tomorrow) == 0
    in_time = utcnow() + (new_end - today) - timedelta(days=30)
    assert notices(app, in_time) == 1
    with app.app_context():
        rows = get_session().scalars(select(RenewalNotice).where(RenewalNotice.user_id == due.id)).all()
        assert sorted(r.mandate_ends_on for r in rows) == [today + timedelta(days=30), new_end]
        assert {r.status for r in rows} == {DeliveryStatus.SENT}


def test_no_notice_while_paused_then_one_when_the_pause_is_over(app, auth, smtp):
    today = local_today()
    user = auth.create_user(Role.AMBASSADOR, email="paused@example.org", name="Paused", language="en")
    set_profile(app, user, mandate_ends_on=today + timedelta(days=20), paused_until=today + timedelta(days=5))
    assert notices(app) == 0
    assert notices(app, utcnow() + timedelta(days=6)) == 1


def test_a_lapsed_ambassador_sees_only_the_offer_to_renew_and_can_renew(app, client, auth, smtp):
    today = local_today()
    colleague = auth.create_user(Role.AMBASSADOR, email="colleague@example.org", name="Colleague")
    grant(app, colleague, Purpose.DIRECTORY)
    user = auth.create_user(Role.AMBASSADOR, email="lapsed@example.org", name="Lapsed Person", language="en")
    grant(app, user, Purpose.DIRECTORY)
    grant(app, user, Purpose.DIGEST)
    set_profile(app, user, mandate_ends_on=today - timedelta(days=1))

    # Out of the directory, the digest and the active counts.
    switch_to(auth, colleague)
    assert "Lapsed Person" not in client.get("/directory").get_data(as_text=True)
    with app.app_context():
        session = get_session()
        assert [u.id for u in ambassadors.digest_recipients(session, today)] == []
        assert user.id not in set(session.scalars(ambassadors.active_member_ids(session, today)))
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=2), highlighted=True)
    with app.app_context():
        assert mailings.send_digests(now=now).queued == 0

    switch_to(auth, user)
    for path in ("/", "/directory", "/me/profile", "/kit/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/me/mandate-ended", path
    page = client.get("/me/mandate-ended").get_data(as_text=True)
    assert "Your mandate has ended" in page and 'action="/me/renew"' in page and "/me/leave" in page
    assert client.get("/me/data").status_code == 200  # their rights stay open

    response = client.post("/me/renew")
    assert response.status_code == 302
    assert profile(app, user).mandate_ends_on > today + timedelta(days=300)
    assert client.get("/").status_code == 200
    assert client.get("/me/mandate-ended").headers["Location"] == "/"


def test_a_lapsed_ambassador_may_leave_instead(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_profile(app, user, mandate_ends_on=local_today() - timedelta(days=3))
    assert client.get("/me/leave").status_code == 200
    client.post("/me/leave")
    assert profile(app, user).left_at is not None


def test_coverage_counts_only_ambassadors_in_office(app, auth):
    from advocacy.models import Department

    with app.app_context():
        session = get_session()
        session.add(Department(name="Research", headcount=100))
        session.commit()
        department_id = session.scalar(select(Department.id))
    people = [auth.create_user(Role.AMBASSADOR, email=f"p{i}@example.org", name=f"P{i}") for i in range(5)]
    for person in people:
        set_profile(app, person, department_id=department_id)
    with app.app_context():
        assert coverage.active_ambassadors_by_department(get_session(), local_today()) == {department_id: 5}
    set_profile(app, people[0], mandate_ends_on=local_today() - timedelta(days=1))
    with app.app_context():
        assert coverage.active_ambassadors_by_department(get_session(), local_today()) == {department_id: 4}


def renewal_figures(client) -> tuple[str, str]:
    html = client.get("/admin/program/coverage").get_data(as_text=True)
    section = html[html.index('id="renewals"'):]
    ending, lapsed = re.findall(r"<dd>(.*?)</dd>", section)[:2]
    return ending, lapsed


def test_curators_see_renewals_due_only_from_k_people(app, client, auth):
    today = local_today()
    auth.login_as(Role.CURATOR, language="en")
    assert renewal_figures(client) == ("0", "0")
    people = [auth.create_user(Role.AMBASSADOR, email=f"a{i}@example.org", name=f"A{i}") for i in range(6)]
    for person in people[:4]:
        set_profile(app, person, mandate_ends_on=today + timedelta(days=10))
    set_profile(app, people[4], mandate_ends_on=today - timedelta(days=2))
    assert renewal_figures(client) == ("fewer than 5", "fewer than 5")
    set_profile(app, people[5], mandate_ends_on=today + timedelta(days=30))
    assert renewal_figures(client) == ("5–9", "fewer than 5")
    # Someone who left is not "due": the count falls back under k.
    set_profile(app, people[5], left_at=utcnow())
    assert renewal_figures(client) == ("fewer than 5", "fewer than 5")
