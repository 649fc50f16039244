"""The ambassador's profile, mandate, pause, leaving and open join."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import Department, Invitation, Role
from advocacy.services import ambassadors, clock
from test_invitations import invitation_link, outbox_messages


def profile(app, user_id):
    with app.app_context():
        return ambassadors.profile_of(get_session(), user_id)


@pytest.mark.parametrize("typed,expected", [
    ("mastodon.social", "mastodon.social"),
    ("https://Piaille.fr/", "piaille.fr"),
    ("@camille@eldritch.cafe", "eldritch.cafe"),
    ("social.bücher.example", "social.xn--bcher-kva.example"),
])
def test_mastodon_instance_is_normalised(typed, expected):
    assert ambassadors.validate_mastodon_instance(typed) == expected


@pytest.mark.parametrize("typed", ["localhost", "not a host", "exa mple.org", "-bad.org", "1.2.3.4",
                                   "a" * 64 + ".org", "javascript:alert(1)", "mastodon.social/@me/../x"])
def test_bad_mastodon_instances_are_refused(typed):
    with pytest.raises(ambassadors.ProfileError):
        ambassadors.validate_mastodon_instance(typed)


def test_profile_update(app, client, auth):
    with app.app_context():
        get_session().add(Department(name="Finance", headcount=120))
        get_session().commit()
        department_id = get_session().scalar(select(Department.id))
    user = auth.login_as(Role.AMBASSADOR, language="en")
    pause = (date.today() + timedelta(days=10)).isoformat()
    response = client.post("/me/profile", data={
        "networks": ["linkedin", "mastodon"], "mastodon_instance": "https://Mastodon.Social/",
        "department": str(department_id), "language": "fr", "paused_until": pause})
    assert response.status_code == 302
    saved = profile(app, user.id)
    assert saved.networks == ["mastodon", "linkedin"] and saved.mastodon_instance == "mastodon.social"
    assert saved.department_id == department_id and saved.paused_until.isoformat() == pause
    assert b"Mon profil" in client.get("/me/profile").data  # language switched to French


def test_invalid_profile_keeps_what_was_typed(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    response = client.post("/me/profile", data={
        "networks": ["mastodon", "x"], "mastodon_instance": "not a host", "department": "0", "language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the name of your Mastodon server" in html
    assert 'value="not a host"' in html
    assert re.search(r'value="x"[^>]*checked|checked[^>]*value="x"', html)
    assert profile(app, user.id).networks == []  # nothing half-saved


def test_mastodon_needs_an_instance(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    response = client.post("/me/profile", data={"networks": ["mastodon"], "department": "0", "language": "en"})
    assert b"Say which Mastodon server you use." in response.data


def test_pause_cannot_start_in_the_past(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    yesterday = (clock.program_today("Europe/Paris") - timedelta(days=1)).isoformat()
    response = client.post("/me/profile", data={"department": "0", "language": "en", "paused_until": yesterday})
    assert response.status_code == 400 and b"Choose a date from today on." in response.data


def test_renewal_offered_only_in_the_last_30_days(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    assert b"Renew for another term" not in client.get("/me/profile").data
    client.post("/me/renew")
    end = profile(app, user.id).mandate_ends_on
    assert end == ambassadors.add_months(clock.program_today("Europe/Paris"), 12)  # unchanged
    with app.app_context():
        session = get_session()
        ambassadors.profile_of(session, user.id).mandate_ends_on = date.today() + timedelta(days=20)
        session.commit()
    assert b"Renew for another term" in client.get("/me/profile").data
    client.post("/me/renew")
    assert profile(app, user.id).mandate_ends_on == ambassadors.add_months(date.today() + timedelta(days=20), 12)


def test_leaving_keeps_the_account_and_ends_membership(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    client.post("/me/leave")
    assert profile(app, user.id).left_at is not None
    assert client.get("/").headers["Location"] == "/me/left"  # told they left, not asked to sign again
    assert client.get("/me/data").status_code == 200  # their rights stay


@pytest.fixture
def app_config():
    return {"OPEN_JOIN": True, "JOIN_ALLOWED_DOMAINS": "example.org, example.com"}


def test_open_join_by_confirmed_email(app, client):
    response = client.post("/join", data={"email": "New.Person@example.org"}, headers={"Accept-Language": "en"})
    assert b"Check your mailbox" in response.data
    [message] = outbox_messages(app)
    link = invitation_link(message)
    client.post(link, data={"name": "New Person", "password": "long enough pass", "confirm": "long enough pass",
                            "language": "en"})
    assert client.get("/").headers["Location"] == "/me/charter"  # an ambassador who must accept the charter


def test_open_join_refuses_other_domains_and_keeps_input(app, client):
    response = client.post("/join", data={"email": "someone@gmail.example"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert b"addresses of the organisation only" in response.data and b'value="someone@gmail.example"' in response.data
    assert outbox_messages(app) == []


def test_open_join_does_not_reveal_existing_accounts(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email="known@example.org")
    response = client.post("/join", data={"email": "known@example.org"}, headers={"Accept-Language": "en"})
    assert b"Check your mailbox" in response.data
    assert outbox_messages(app) == []
    with app.app_context():
        assert get_session().scalar(select(Invitation)) is None


def test_open_join_is_off_by_default(app, client):
    app.config["OPEN_JOIN"] = False
    assert client.get("/join").status_code == 404
