"""The program calendar: events, the .ics export read back with icalendar, personal links."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import CalendarEvent, CalendarToken, Role, User
from program_helpers import switch_to

EVENT = {"title": "Rencontre des ambassadeurs", "starts_at": "2031-03-05T18:30", "ends_at": "2031-03-05T20:00",
         "location": "https://meet.example.org/relais", "description": "Bilan du trimestre, idées."}


def add_event(client, **changes):
    return client.post("/calendar/events", data={**EVENT, **changes})


def subscription_link(client) -> str:
    html = client.post("/calendar/subscription").get_data(as_text=True)
    return html.split('class="copy-field" value="')[1].split('"')[0]


def parse(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"]


def test_curator_adds_an_event_and_ambassadors_see_it(client, auth):
    auth.login_as(Role.CURATOR)
    assert add_event(client).status_code == 302
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    html = client.get("/calendar/").get_data(as_text=True)
    assert "Rencontre des ambassadeurs" in html and "https://meet.example.org/relais" in html


def test_event_ending_before_it_starts_is_refused_and_kept(client, auth):
    auth.login_as(Role.CURATOR)
    response = add_event(client, ends_at="2031-03-05T17:00")
    assert response.status_code == 400
    assert 'value="Rencontre des ambassadeurs"' in response.get_data(as_text=True)


@pytest.mark.parametrize("starts_at, message", [
    ("2031-02-30T18:30", "Not a valid datetime value."),  # a day that does not exist: not "required"
    ("", "This field is required."),
])
def test_an_impossible_or_missing_start_is_named_and_the_form_kept(app, client, auth, starts_at, message):
    auth.login_as(Role.CURATOR, language="en")
    response = add_event(client, starts_at=starts_at)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "This field is required." not in html.replace(message, "", 1)
    assert EVENT["description"] in html  # what was typed is still there
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(CalendarEvent)) == 0  # nothing saved


def test_ambassadors_cannot_add_events(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert add_event(client).status_code == 403
    assert client.post("/calendar/events/1/delete").status_code == 403


def test_ics_export_parses_back(client, auth):
    auth.login_as(Role.CURATOR)
    add_event(client)
    add_event(client, title="Milestone", ends_at="", location="Lyon", description="")
    response = client.get("/calendar/export.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = {str(e["SUMMARY"]): e for e in parse(response.data)}
    meeting = events["Rencontre des ambassadeurs"]
    # Times are typed in the program's zone (TIMEZONE, Europe/Paris by
    # default): 18:30 in Paris in March (UTC+1) is 17:30 UTC.
    assert meeting.decoded("DTSTART") == datetime(2031, 3, 5, 17, 30, tzinfo=UTC)
    assert meeting.decoded("DTEND") == datetime(2031, 3, 5, 19, 0, tzinfo=UTC)
    assert str(meeting["LOCATION"]) == "https://meet.example.org/relais"
    assert str(meeting["DESCRIPTION"]) == "Bilan du trimestre, idées."
    assert str(meeting["UID"]).startswith("event-")
    assert str(events["Milestone"]["LOCATION"]) == "Lyon"


class TestParisTime:
    @pytest.fixture
    def app_config(self):
        return {"BABEL_DEFAULT_TIMEZONE": "Europe/Paris"}

    def test_times_typed_in_the_local_zone_are_stored_in_utc(self, client, auth):
        auth.login_as(Role.CURATOR)
        add_event(client)
        event = parse(client.get("/calendar/export.ics").data)[0]
        assert event.decoded("DTSTART") == datetime(2031, 3, 5, 17, 30, tzinfo=UTC)


def test_subscription_link_works_without_a_cookie(app, client, auth):
    auth.login_as(Role.CURATOR)
    add_event(client)
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    link = subscription_link(client)
    calendar_app = app.test_client()  # no session cookie at all
    response = calendar_app.get(link)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert [str(e["SUMMARY"]) for e in parse(response.data)] == ["Rencontre des ambassadeurs"]
    with app.app_context():
        stored = get_session().query(CalendarToken).one()
        assert stored.token_hash not in link and link.rsplit("/", 1)[1][:-4] not in stored.token_hash


def test_new_link_replaces_the_old_and_revoking_kills_it(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    calendar_app = app.test_client()
    first = subscription_link(client)
    second = subscription_link(client)
    assert calendar_app.get(first).status_code == 404
    assert calendar_app.get(second).status_code == 200
    client.post("/calendar/subscription/revoke")
    assert calendar_app.get(second).status_code == 404


def test_link_of_a_deactivated_account_stops_working(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    link = subscription_link(client)
    with app.app_context():
        get_session().get(User, user.id).active = False
        get_session().commit()
    assert app.test_client().get(link).status_code == 404


def test_made_up_tokens_get_nothing(client):
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
    assert client.get("/calendar/export.ics").status_code == 302  # to the sign-in page
