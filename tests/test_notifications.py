"""Notifications for ambassadors: consent per channel, the events, the grouped e-mail and its rhythm,
the in-app list, and the person's own data. E-mail goes through the outbox to a real SMTP server."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from advocacy import mailings
from advocacy.db import get_session
from advocacy.models import (
    FeedbackKind,
    MailKind,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationSetting,
    OutboxMail,
    Purpose,
    Role,
    User,
)
from advocacy.services import consent, feedback, notifications
from digest_helpers import BASE_URL, grant, next_monday, publish, smtp  # noqa: F401
from mail_helpers import send_queued_mail
from program_helpers import switch_to

EXPORT_SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "personal-data-export.schema.json"


@pytest.fixture
def app_config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL}


def ambassador(app, auth, name: str, *, email_channel=False, in_app=False, language="en"):
    user = auth.create_user(Role.AMBASSADOR, email=f"{name.lower()}@example.org", name=name, language=language)
    if email_channel:
        grant(app, user, Purpose.NOTIFY_EMAIL, language)
    if in_app:
        grant(app, user, Purpose.NOTIFY_IN_APP, language)
    return user


def rows(app, **where) -> list[tuple]:
    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return [(r.user_id, r.kind, r.channel) for r in get_session().scalars(query)]


def run(app, now) -> int:
    """The notifications job at ``now``, then the send-mail job: how many summaries were queued."""
    with app.app_context():
        queued = mailings.send_notifications(now=now).queued
    send_queued_mail(app, now=now)
    return queued


def named_and_anonymous_feedback_answered(app, client, auth, author) -> tuple[str, str]:
    with app.app_context():
        session = get_session()
        me = session.get(User, author.id)
        named = feedback.submit(session, me, FeedbackKind.IDEA, "Named idea", anonymous=False, today=date.today())
        anonymous = feedback.submit(session, me, FeedbackKind.IRRITANT, "Anonymous irritant", anonymous=True,
                                    today=date.today())
        session.commit()
        ids = (named.id, anonymous.id)
    auth.login_as(Role.CURATOR)
    for item_id in ids:
        response = client.post(f"/feedback/inbox/{item_id}", data={"status": "retained", "reply": "Thanks, kept."})
        assert response.status_code == 302
    auth.logout()
    return ids


def test_each_event_notifies_only_the_channels_people_consented_to(app, client, auth):
    both = ambassador(app, auth, "Both", email_channel=True, in_app=True)
    mail_only = ambassador(app, auth, "Mailonly", email_channel=True)
    nobody = ambassador(app, auth, "Nobody")
    now = next_monday(10)
    content_id = publish(app, "Highlight", now - timedelta(hours=1), highlighted=True)
    assert sorted(rows(app, kind=NotificationKind.HIGHLIGHT)) == sorted([
        (both.id, NotificationKind.HIGHLIGHT, NotificationChannel.EMAIL),
        (both.id, NotificationKind.HIGHLIGHT, NotificationChannel.IN_APP),
        (mail_only.id, NotificationKind.HIGHLIGHT, NotificationChannel.EMAIL)])
    assert rows(app, user_id=nobody.id) == []
    # Saved again: nothing twice.
    with app.app_context():
        session = get_session()
        from advocacy.models import Content
        notifications.highlight_saved(session, session.get(Content, content_id), now, was_announced=True)
        session.commit()
    assert len(rows(app, kind=NotificationKind.HIGHLIGHT)) == 3


def test_named_feedback_notifies_its_author_only_and_anonymous_feedback_nobody(app, client, auth):
    author = ambassador(app, auth, "Author", in_app=True)
    ambassador(app, auth, "Other", in_app=True, email_channel=True)
    named_id, anonymous_id = named_and_anonymous_feedback_answered(app, client, auth, author)
    found = rows(app, kind=NotificationKind.FEEDBACK_ANSWERED)
    assert found == [(author.id, NotificationKind.FEEDBACK_ANSWERED, NotificationChannel.IN_APP)]
    with app.app_context():
        references = list(get_session().scalars(select(Notification.reference)))
    assert references == [f"{named_id}/retained"] and not any(anonymous_id in r for r in references)
    switch_to(auth, author)
    page = client.get("/me/notifications/").get_data(as_text=True)
    assert f"/feedback/mine/{named_id}" in page and "The team answered your feedback." in page
    assert anonymous_id not in page


def test_a_highlight_saved_ahead_is_shown_from_its_publication_and_withdrawn_if_unticked(app, auth):
    person = ambassador(app, auth, "Early", in_app=True)
    now = next_monday(10)
    later = now + timedelta(days=2)
    content_id = publish(app, "Coming", later, highlighted=True)
    with app.app_context():
        session = get_session()
        assert notifications.in_app_list(session, person.id, now + timedelta(days=1)) == []
        assert len(notifications.in_app_list(session, person.id, later)) == 1
        from advocacy.models import Content
        content = session.get(Content, content_id)
        content.highlighted = False
        notifications.highlight_saved(session, content, now + timedelta(days=1), was_announced=True)
        session.commit()
    assert rows(app, user_id=person.id) == []


def test_three_events_make_one_email_in_the_persons_language_with_one_click_unsubscribe(app, client, auth, smtp):
    person = ambassador(app, auth, "Camille", email_channel=True, in_app=True, language="fr")
    now = next_monday(10)
    for n in range(3):
        publish(app, f"Mise en avant {n}", now - timedelta(hours=3 - n), highlighted=True)
    assert run(app, now) == 1
    [message] = smtp.to("camille@example.org")
    assert message["Subject"] == "Des nouvelles de Relais"
    body = message.get_content()
    assert all(f"Mise en avant {n}" in body for n in range(3)) and "Bonjour Camille" in body
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{BASE_URL}/me/notifications/unsubscribe/") and unsubscribe in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert rows(app, channel=NotificationChannel.EMAIL) == []  # taken by the summary
    assert len(rows(app, channel=NotificationChannel.IN_APP)) == 3  # the list keeps its own
    # The mail provider's one-click POST: no session, no CSRF token.
    path = unsubscribe.removeprefix(BASE_URL)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        session = get_session()
        assert not consent.has_consent(session, person.id, Purpose.NOTIFY_EMAIL)
        assert consent.has_consent(session, person.id, Purpose.NOTIFY_IN_APP)  # the other channel stays
        assert consent.latest_record(session, person.id, Purpose.NOTIFY_EMAIL).channel.value == "email"
    with app.app_context():
        session = get_session()
        notifications.notify(session, NotificationKind.SURVEY_RESULTS, 1, [person.id], now)
        session.commit()
    assert rows(app, channel=NotificationChannel.EMAIL) == []
    assert run(app, now + timedelta(days=9)) == 0


def test_a_forged_unsubscribe_link_changes_nothing(app, client, auth):
    person = ambassador(app, auth, "Sam", email_channel=True)
    forged = client.post("/me/notifications/unsubscribe/forged", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 404
    with app.app_context():
        assert consent.has_consent(get_session(), person.id, Purpose.NOTIFY_EMAIL)


def test_at_most_one_email_a_day_unless_the_person_chooses_otherwise(app, client, auth, smtp):
    daily = ambassador(app, auth, "Daily", email_channel=True)
    soon = ambassador(app, auth, "Soon", email_channel=True)
    with app.app_context():
        session = get_session()
        notifications.set_frequency(session, soon.id, notifications.EmailFrequency.SOON)
        session.commit()
    now = next_monday(10)  # 10:00 in Paris
    publish(app, "First", now - timedelta(hours=1), highlighted=True)
    assert run(app, now) == 2
    publish(app, "Second", now + timedelta(minutes=1), highlighted=True)
    assert run(app, now + timedelta(minutes=5)) == 0  # too soon for both
    assert run(app, now + timedelta(minutes=20)) == 1  # "as it happens": one per 15 minutes
    assert len(smtp.to("soon@example.org")) == 2
    assert run(app, now + timedelta(hours=12)) == 0  # 22:00, the same day: the daily one waits
    assert run(app, now + timedelta(hours=14, minutes=30)) == 1  # 00:30 the next day in Paris
    assert [m["Subject"] for m in smtp.to("daily@example.org")] == ["News from Relais"] * 2
    assert "Second" in smtp.to("daily@example.org")[1].get_content()
    assert daily.id != soon.id


def test_the_weekly_rhythm_waits_seven_days(app, auth, smtp):
    person = ambassador(app, auth, "Weekly", email_channel=True)
    with app.app_context():
        session = get_session()
        notifications.set_frequency(session, person.id, notifications.EmailFrequency.WEEKLY)
        session.commit()
    now = next_monday(10)
    publish(app, "One", now - timedelta(hours=1), highlighted=True)
    assert run(app, now) == 1
    publish(app, "Two", now + timedelta(hours=1), highlighted=True)
    assert run(app, now + timedelta(days=6)) == 0
    assert run(app, now + timedelta(days=7)) == 1


def test_the_in_app_list_its_count_and_marking_read(app, client, auth):
    person = ambassador(app, auth, "Reader", in_app=True)
    publish(app, "Read me", next_monday(10) - timedelta(days=14), highlighted=True)
    switch_to(auth, person)
    page = client.get("/me/notifications/").get_data(as_text=True)
    assert "Read me" in page and "Mark all as read" in page
    assert "1 unread" in client.get("/me/notifications/").get_data(as_text=True)
    assert rows(app, user_id=person.id)  # the GET wrote nothing: still unread
    with app.app_context():
        [shown] = get_session().scalars(select(Notification.id))
    # One arrives after the page was shown: "mark all as read" leaves it unread.
    publish(app, "Arrived since", next_monday(10) - timedelta(days=13), highlighted=True)
    assert client.post("/me/notifications/read", data={"up_to": shown}).status_code == 302
    with app.app_context():
        unread = list(get_session().scalars(select(Notification.reference).where(Notification.read_at.is_(None))))
    assert len(unread) == 1
    assert "1 unread" in client.get("/me/notifications/").get_data(as_text=True)
    # Someone else's ids mark nothing of theirs, and nothing of the reader's beyond what they saw.
    other = ambassador(app, auth, "Other", in_app=True)
    switch_to(auth, other)
    client.post("/me/notifications/read", data={"up_to": 10**6})
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == person.id, Notification.read_at.is_(None))) == 1


def test_a_bad_frequency_is_refused_with_a_message_and_changes_nothing(app, client, auth):
    person = ambassador(app, auth, "Chooser", email_channel=True)
    switch_to(auth, person)
    response = client.post("/me/notifications/frequency", data={"frequency": "hourly"}, follow_redirects=True)
    assert "Choose how often the e-mails come" in response.get_data(as_text=True)
    client.post("/me/notifications/frequency", data={"frequency": "weekly"})
    with app.app_context():
        assert notifications.frequency_of(get_session(), person.id) == notifications.EmailFrequency.WEEKLY


def test_withdrawing_a_channel_deletes_its_waiting_notifications_and_stops_new_ones(app, client, auth):
    person = ambassador(app, auth, "Changer", email_channel=True, in_app=True)
    now = next_monday(10)
    publish(app, "Before", now - timedelta(hours=1), highlighted=True)
    switch_to(auth, person)
    client.post("/me/consents/notify_email/withdraw")
    assert [r[2] for r in rows(app, user_id=person.id)] == [NotificationChannel.IN_APP]
    client.post("/me/consents/notify_in_app/withdraw")
    publish(app, "After", now, highlighted=True)
    assert rows(app, user_id=person.id) == []


def test_the_mandate_notice_is_in_the_list_only_beside_its_own_email(app, auth, smtp):
    from advocacy.models import AmbassadorProfile
    from advocacy.services import clock

    person = ambassador(app, auth, "Ending", email_channel=True, in_app=True)
    with app.app_context():
        session = get_session()
        session.get(AmbassadorProfile, person.id).mandate_ends_on = clock.program_today("Europe/Paris") + timedelta(
            days=10)
        session.commit()
        assert mailings.send_renewal_notices().queued == 1
        assert mailings.send_renewal_notices().queued == 0
    assert rows(app, user_id=person.id) == [(person.id, NotificationKind.MANDATE_ENDING, NotificationChannel.IN_APP)]
    assert run(app, next_monday(10)) == 0
    with app.app_context():
        kinds = list(get_session().scalars(select(OutboxMail.kind)))
    assert kinds == [MailKind.RENEWAL_NOTICE]


def test_notifications_are_exported_erased_and_gone_on_leaving(app, client, auth):
    leaver = ambassador(app, auth, "Leaver", in_app=True, email_channel=True)
    eraser = ambassador(app, auth, "Eraser", in_app=True)
    publish(app, "For both", next_monday(10) - timedelta(days=14), highlighted=True)
    switch_to(auth, eraser)
    data = client.get("/me/data/export.json").get_json()
    jsonschema.validate(data, json.loads(EXPORT_SCHEMA.read_text()))
    assert [i["kind"] for i in data["notifications"]["items"]] == ["highlight"]
    assert data["notifications"]["email_frequency"] == "daily"
    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert rows(app, user_id=eraser.id) == []
    switch_to(auth, leaver)
    with app.app_context():
        session = get_session()
        notifications.set_frequency(session, leaver.id, notifications.EmailFrequency.SOON)
        session.commit()
    client.post("/me/leave", data={"confirm": "y"})
    assert rows(app, user_id=leaver.id) == []
    with app.app_context():
        assert get_session().get(NotificationSetting, leaver.id) is None


def test_survey_results_notify_once_when_counted_with_k_answers(app, client, auth):
    from test_survey_pool import answer_one_by_one, close, count_finished, from_template

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    auth.login_as(Role.CURATOR)
    survey_id = from_template(client)
    members = answer_one_by_one(client, auth, app, survey_id, count=5)
    listening = ambassador(app, auth, "Listening", in_app=True)
    close(client, auth, survey_id)
    assert rows(app, kind=NotificationKind.SURVEY_RESULTS) == []  # not counted yet
    count_finished(app)
    count_finished(app)  # a second run: nothing twice
    assert rows(app, kind=NotificationKind.SURVEY_RESULTS) == [
        (listening.id, NotificationKind.SURVEY_RESULTS, NotificationChannel.IN_APP)]
    assert all(rows(app, user_id=m.id) == [] for m in members)  # they did not consent


def test_an_email_that_cannot_be_prepared_loses_no_notification(app, auth, smtp, monkeypatch):
    person = ambassador(app, auth, "Broken", email_channel=True)
    now = next_monday(10)
    publish(app, "Kept for later", now - timedelta(hours=1), highlighted=True)

    def broken(*_args):
        raise RuntimeError("a template error")

    monkeypatch.setattr(mailings, "notifications_message", broken)
    assert run(app, now) == 0
    assert rows(app, user_id=person.id) == [(person.id, NotificationKind.HIGHLIGHT, NotificationChannel.EMAIL)]
    monkeypatch.undo()
    assert run(app, now) == 1 and len(smtp.to("broken@example.org")) == 1


def test_the_job_runs_by_hand_and_says_what_it_did(app, runner, auth, smtp):
    ambassador(app, auth, "Byhand", email_channel=True)
    publish(app, "Now", next_monday(10) - timedelta(days=14), highlighted=True)
    result = runner.invoke(args=["jobs", "run", "send-notifications"])
    assert result.exit_code == 0, result.output
    assert result.output == "send-notifications: notifications: 1 due, 1 queued, 0 skipped\n"
    again = runner.invoke(args=["jobs", "run", "send-notifications"])
    assert again.output == "send-notifications: notifications: 0 due, 0 queued, 0 skipped\n"
    runner.invoke(args=["jobs", "run", "send-mail"])
    assert [m["To"] for m in smtp.messages] == ["byhand@example.org"]
