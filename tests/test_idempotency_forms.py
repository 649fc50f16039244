"""Every creating form, sent three times as a browser repeats it, creates once; a new intent creates again.

One case per action of docs/idempotency.md that keys its form (the share has
its own module, test_idempotency_sharing). Each case: sign in, fetch the
form, send the identical POST three times, count one row; then fetch the
form again (a new intent) and count two.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import (
    CalendarEvent,
    CalendarToken,
    ConsentRecord,
    ConsentText,
    Department,
    Feed,
    FeedbackItem,
    Invitation,
    KitPage,
    NetworkThanks,
    Purpose,
    Role,
    Survey,
    SurveyQuestion,
    Topic,
)
from advocacy.models import Content as ContentRow
from advocacy.services import clock, surveys
from curation_helpers import editor_form
from idempotency_helpers import count, fresh, replay
from mail_helpers import send_queued_mail

TODAY = clock.program_today("Europe/Paris")
DATES = {"opens_on": TODAY.isoformat(), "closes_on": (TODAY + timedelta(days=7)).isoformat()}


@dataclass
class Case:
    role: Role
    page: str
    action: str
    first: dict
    second: dict  # what a second, genuinely new intent sends
    model: type
    where: tuple = field(default_factory=tuple)


def _survey(app) -> int:
    with app.app_context():
        session = get_session()
        found = surveys.create_survey(session, surveys.SurveyDraft("Pulse", "", TODAY, TODAY + timedelta(days=7)))
        session.commit()
        return found.id


CASES = {
    "feedback": lambda app: Case(
        Role.AMBASSADOR, "/feedback/", "/feedback/", {"kind": "irritant", "body": "The button is hard to find."},
        {"kind": "idea", "body": "A dark theme."}, FeedbackItem),
    "thanks": lambda app: Case(
        Role.CURATOR, "/thanks/", "/thanks/", {"message": "120 posts this month, thank you!", "thanked": "0"},
        {"message": "And 40 more!", "thanked": "0"}, NetworkThanks),
    "calendar event": lambda app: Case(
        Role.CURATOR, "/calendar/", "/calendar/events", {"title": "Meet-up", "starts_at": "2031-03-05T18:30"},
        {"title": "Second meet-up", "starts_at": "2031-04-05T18:30"}, CalendarEvent),
    "invitation": lambda app: Case(
        Role.ADMIN, "/admin/users", "/admin/invitations", {"email": "new@example.org", "role": "ambassador"},
        {"email": "other@example.org", "role": "curator"}, Invitation),
    "kit page": lambda app: Case(
        Role.CURATOR, "/kit/new", "/kit/new",
        {"title": "Mission", "slug": "mission", "language": "fr", "section": "mission", "position": "1",
         "body": "Nous partageons."},
        {"title": "Guide", "slug": "guide", "language": "fr", "section": "mission", "position": "2",
         "body": "Comment faire."}, KitPage),
    "topic": lambda app: Case(
        Role.CURATOR, "/curation/topics", "/curation/topics", {"name_en": "Energy", "categories": "solar"},
        {"name_en": "Jobs", "categories": ""}, Topic),
    "content": lambda app: Case(
        Role.CURATOR, "/curation/contents/new", "/curation/contents/new", editor_form(),
        editor_form(title="Another one", target_url="https://example.org/another"), ContentRow),
    "consent text version": lambda app: Case(
        Role.ADMIN, "/admin/program/texts", "/admin/program/texts/digest",
        {"digest-title_fr": "Lettre", "digest-body_fr": "Chaque semaine.", "digest-title_en": "Digest",
         "digest-body_en": "Every week."},
        {"digest-title_fr": "Lettre", "digest-body_fr": "Chaque lundi.", "digest-title_en": "Digest",
         "digest-body_en": "Every Monday."},
        ConsentText, (ConsentText.purpose == Purpose.DIGEST, ConsentText.language == "en")),
    "department": lambda app: Case(
        Role.ADMIN, "/admin/program/departments", "/admin/program/departments", {"name": "Sales", "headcount": "40"},
        {"name": "Legal", "headcount": "12"}, Department),
    "survey": lambda app: Case(
        Role.CURATOR, "/surveys/manage", "/surveys/new", {"title": "Pulse", **DATES}, {"title": "Pulse 2", **DATES},
        Survey),
    "survey from the template": lambda app: Case(
        Role.CURATOR, "/surveys/manage", "/surveys/from-template", {"language": "en", **DATES},
        {"language": "fr", **DATES}, Survey),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_repeated_form_creates_once_and_a_new_one_again(app, client, auth, name):
    case = CASES[name](app)
    auth.login_as(case.role)
    before = count(app, case.model, *case.where)
    data = fresh(client, case.page, case.action, **case.first)

    answers = replay(client, case.action, data)

    assert count(app, case.model, *case.where) == before + 1, answers[0].get_data(as_text=True)[:2000]
    assert {a.status_code for a in answers} == {302}
    assert len({a.headers["Location"] for a in answers}) == 1  # each repeat lands where the first led
    replay(client, case.action, fresh(client, case.page, case.action, **case.second), times=1)
    assert count(app, case.model, *case.where) == before + 2


def test_a_survey_question_is_added_once_per_intent(app, client, auth):
    auth.login_as(Role.CURATOR)
    survey_id = _survey(app)
    page, action = f"/surveys/{survey_id}/edit", f"/surveys/{survey_id}/questions"
    replay(client, action, fresh(client, page, action, kind="text", text="What would help?"))
    assert count(app, SurveyQuestion) == 1
    replay(client, action, fresh(client, page, action, kind="text", text="What else?"))
    assert count(app, SurveyQuestion) == 2


def test_an_invitation_is_mailed_once_per_intent(app, client, auth):
    auth.login_as(Role.ADMIN)
    data = fresh(client, "/admin/users", "/admin/invitations", email="new@example.org", role="ambassador")
    replay(client, "/admin/invitations", data)
    send_queued_mail(app)
    outbox = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert count(app, Invitation) == 1 and len(outbox) == 1


def test_an_opml_import_is_done_once_per_intent(app, client, auth):
    auth.login_as(Role.CURATOR)
    opml = (b'<?xml version="1.0"?><opml version="2.0"><body>'
            b'<outline type="rss" xmlUrl="https://example.org/a.xml"/>'
            b'<outline type="rss" xmlUrl="https://example.org/b.xml"/></body></opml>')
    data = fresh(client, "/feeds/", "/feeds/import")
    for _again in range(3):  # a file is read once: each repeat carries it anew, as a browser does
        answer = client.post("/feeds/import", data=data | {"file": (BytesIO(opml), "feeds.opml")},
                             follow_redirects=True, headers={"Accept-Language": "en"})
    assert count(app, Feed) == 2
    assert b"Already done" in answer.data


def test_join_sends_one_link_per_intent(app, client):
    app.config.update(OPEN_JOIN=True, JOIN_ALLOWED_DOMAINS=["example.org"])
    data = fresh(client, "/join", "/join", email="me@example.org")
    answers = replay(client, "/join", data)
    assert {a.status_code for a in answers} == {200}  # the same answer each time
    assert count(app, Invitation) == 1
    replay(client, "/join", fresh(client, "/join", "/join", email="me@example.org"), times=1)
    assert count(app, Invitation) == 2  # asked again on purpose: a new link, as before


def test_the_calendar_link_shown_survives_a_reload_of_its_page(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    data = fresh(client, "/calendar/", "/calendar/subscription")
    first, *repeats = replay(client, "/calendar/subscription", data)
    link = first.get_data(as_text=True).split('class="copy-field" value="')[1].split('"')[0]
    assert all(r.status_code == 302 for r in repeats)
    assert count(app, CalendarToken) == 1
    assert client.get(link.replace("http://localhost", "")).status_code == 200  # still the one that works
    replay(client, "/calendar/subscription", fresh(client, "/calendar/", "/calendar/subscription"), times=1)
    assert count(app, CalendarToken) == 1  # a new link on purpose replaces the old one, as before
    assert client.get(link.replace("http://localhost", "")).status_code == 404


# --- consents: a repeat, and even a second click, records no second decision ----------------

def consent_records(app, user, purpose: Purpose, granted: bool) -> int:
    return count(app, ConsentRecord, ConsentRecord.user_id == user.id, ConsentRecord.purpose == purpose,
                 ConsentRecord.granted == granted)


def test_the_charter_accepted_three_times_is_one_record(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False)
    replay(client, "/me/charter", fresh(client, "/me/charter", "/me/charter", accept="y"))
    assert consent_records(app, user, Purpose.MEMBERSHIP, granted=True) == 1


def test_a_consent_granted_and_withdrawn_three_times_each_is_two_records(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    purpose = Purpose.SHARE_ATTRIBUTION
    grant, withdraw = f"/me/consents/{purpose.value}/grant", f"/me/consents/{purpose.value}/withdraw"
    replay(client, grant, fresh(client, "/me/consents", grant))
    assert consent_records(app, user, purpose, granted=True) == 1
    replay(client, withdraw, fresh(client, "/me/consents", withdraw))
    assert consent_records(app, user, purpose, granted=False) == 1
    assert consent_records(app, user, purpose, granted=True) == 1


def test_granting_what_is_already_granted_records_nothing(app, client, auth):
    """Without the key too: two tabs showing "I agree" are one decision, not two."""
    user = auth.login_as(Role.AMBASSADOR)
    purpose = Purpose.DIRECTORY
    grant = f"/me/consents/{purpose.value}/grant"
    first, second = (fresh(client, "/me/consents", grant) for _tab in range(2))
    client.post(grant, data=first)
    client.post(grant, data=second)
    assert consent_records(app, user, purpose, granted=True) == 1
    with app.app_context():
        assert get_session().scalar(select(ConsentRecord.text_version).where(
            ConsentRecord.user_id == user.id, ConsentRecord.purpose == purpose)) is not None
