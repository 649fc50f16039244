"""The weekly digest, sent by the job through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy import jobs, mailings
from advocacy.db import get_session
from advocacy.models import AmbassadorProfile, DeliveryStatus, DigestDelivery, Purpose, Role, utcnow
from advocacy.services import digest
from digest_helpers import BASE_URL, ZONE, choose_need, grant, next_monday, publish, set_profile, smtp  # noqa: F401
from mail_helpers import run_send_mail_job, send_queued_mail


@pytest.fixture
def app_config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL}


def subscriber(app, auth, email="camille@example.org", language="en", name="Camille"):
    user = auth.create_user(Role.AMBASSADOR, email=email, name=name, language=language)
    grant(app, user, Purpose.DIGEST, language)
    return user


def run(app, now):
    """The digest job at ``now``, then the send-mail job: how many digests it queued."""
    with app.app_context():
        queued = mailings.send_digests(now=now).queued
    send_queued_mail(app)
    return queued


def deliveries(app):
    with app.app_context():
        return list(get_session().scalars(select(DigestDelivery).order_by(DigestDelivery.week_start)))


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_sent_once_per_week_with_both_parts_and_unsubscribe_headers(app, auth, smtp):
    user = subscriber(app, auth)
    need = choose_need(app, user)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(days=1), highlighted=True, summary="Big <news> & more")
    for n in range(7):
        publish(app, f"Fits me {n}", now - timedelta(hours=n + 1), need_ids=[need])
    publish(app, "Not for me", now - timedelta(hours=2))
    publish(app, "Last month", now - timedelta(days=20), need_ids=[need])

    assert run(app, now) == 1
    assert run(app, now + timedelta(minutes=15)) == 0  # the job runs again: nothing more
    [message] = smtp.to("camille@example.org")
    assert message["Subject"] == "Your week on Relais"
    body = parts(message)
    text, html = body["text/plain"], body["text/html"]
    assert "Highlight for all" in text and "Fits me 0" in text
    assert sum(f"Fits me {n}" in text for n in range(7)) == 5  # at most five posts
    assert "Not for me" not in text and "Last month" not in text
    assert "Big &lt;news&gt; &amp; more" in html and "<news>" not in html  # escaped
    assert f'href="{BASE_URL}/content/' in html

    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{BASE_URL}/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Mail programs read this header literally (RFC 2369): no encoded words, no folding inside <>.
    assert smtp.raw_header("camille@example.org", "List-Unsubscribe") == f"List-Unsubscribe: {unsubscribe}"
    assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>") in html
    [row] = deliveries(app)
    assert row.status == DeliveryStatus.SENT and row.item_count == 6 and row.sent_at is not None

    # The next week: new posts, a new digest; the week after, nothing new, no e-mail.
    publish(app, "Next week's post", now + timedelta(days=5), need_ids=[need])
    publish(app, "After the slot", now + timedelta(days=7), need_ids=[need])  # for the week after
    assert run(app, now + timedelta(days=7)) == 1
    second = parts(smtp.to("camille@example.org")[1])["text/plain"]
    assert "Next week's post" in second and "After the slot" not in second and "Fits me 0" not in second
    assert run(app, now + timedelta(days=14)) == 1
    assert "After the slot" in parts(smtp.to("camille@example.org")[2])["text/plain"]
    assert run(app, now + timedelta(days=21)) == 0  # nothing new: no e-mail
    assert len(smtp.to("camille@example.org")) == 3
    assert len(deliveries(app)) == 3


def test_not_before_the_admins_slot(app, auth, smtp):
    user = subscriber(app, auth)
    need = choose_need(app, user)
    monday = next_monday(10)
    with app.app_context():
        session = get_session()
        digest.set_schedule(session, weekday=2, hour=18)  # Wednesday 18:00, Paris time
        session.commit()
    wednesday_17 = (monday + timedelta(days=2)).astimezone(ZONE).replace(hour=17)
    publish(app, "Fits me", monday, need_ids=[need])
    assert run(app, monday) == 0
    assert run(app, wednesday_17) == 0
    assert run(app, wednesday_17 + timedelta(minutes=61)) == 1
    assert len(smtp.messages) == 1


def test_never_to_someone_without_consent_paused_lapsed_or_left(app, auth, smtp):
    now = next_monday(10)
    people = {}
    for name in ("yes", "no-consent", "paused", "lapsed", "left", "withdrawn"):
        user = auth.create_user(Role.AMBASSADOR, email=f"{name}@example.org", name=name, language="en")
        if name != "no-consent":
            grant(app, user, Purpose.DIGEST)
        people[name] = user
    set_profile(app, people["paused"], paused_until=now.date() + timedelta(days=3))
    set_profile(app, people["lapsed"], mandate_ends_on=now.date() - timedelta(days=1))
    set_profile(app, people["left"], left_at=utcnow())
    with app.app_context():
        from advocacy.services import consent

        consent.withdraw(get_session(), people["withdrawn"].id, Purpose.DIGEST)
        get_session().commit()
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)

    assert run(app, now) == 1
    assert [m["To"] for m in smtp.messages] == ["yes@example.org"]
    # The pause over, the paused person gets the following week's.
    publish(app, "Another highlight", now + timedelta(days=6), highlighted=True)
    run(app, now + timedelta(days=7))
    assert sorted(m["To"] for m in smtp.messages) == ["paused@example.org", "yes@example.org", "yes@example.org"]


def test_in_each_persons_language(app, auth, smtp):
    now = next_monday(10)
    subscriber(app, auth, email="claire@example.org", language="fr", name="Claire")
    subscriber(app, auth, email="sam@example.org", language="en", name="Sam")
    publish(app, "Titre commun", now - timedelta(hours=3), highlighted=True)
    assert run(app, now) == 2
    [french] = smtp.to("claire@example.org")
    [english] = smtp.to("sam@example.org")
    assert french["Subject"] == "Votre semaine sur Relais"
    assert "Bonjour Claire" in parts(french)["text/plain"] and "À la une cette semaine" in parts(french)["text/html"]
    assert 'lang="fr"' in parts(french)["text/html"]
    assert english["Subject"] == "Your week on Relais"
    assert "Hello Sam" in parts(english)["text/plain"] and "Highlights of the week" in parts(english)["text/html"]


def test_a_run_that_read_the_list_before_another_committed_sends_nothing(app, auth, smtp):
    """Two runs at once: the slower one planned the same people, but their claims are taken."""
    user = subscriber(app, auth)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    with app.app_context():
        slow = get_session()
        week = digest.due_week(slow, now, "Europe/Paris")
        [batch] = digest.recipient_batches(slow, week, now.astimezone(ZONE).date())
        assert [person.id for person in batch] == [user.id]
        with app.app_context():  # the other run, in its own session, goes first
            assert mailings.send_digests(now=now).queued == 1
        assert digest.claim_deliveries(slow, week, {user.id: 1}, now) == set()
        slow.rollback()
    send_queued_mail(app)
    assert len(smtp.messages) == 1


def test_the_scheduled_job_runs_in_its_app_context(app, auth, smtp):
    subscriber(app, auth)
    local = utcnow().astimezone(ZONE)
    with app.app_context():
        session = get_session()
        digest.set_schedule(session, weekday=local.weekday(), hour=0)  # today's slot has passed
        session.commit()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    publish(app, "Highlight for all", midnight - timedelta(minutes=1), highlighted=True)
    job = {job_id: function for job_id, function, _trigger in jobs.JOBS}["send-digests"]
    jobs.run_job(app, job, need_lease=False)
    jobs.run_job(app, job, need_lease=False)
    assert smtp.messages == []  # queued: the send-mail job sends them
    run_send_mail_job(app)
    run_send_mail_job(app)
    assert len(smtp.messages) == 1


def test_a_send_that_fails_is_retried_later_and_the_digest_arrives_once(app, auth, smtp, caplog):
    subscriber(app, auth)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    app.config["SMTP_PORT"] = 1  # nothing listens there
    with caplog.at_level(logging.WARNING):
        assert run(app, now) == 1  # queued, and the send fails
    assert "ConnectionRefusedError" in caplog.text and "camille" not in caplog.text
    assert [row.status for row in deliveries(app)] == [DeliveryStatus.CLAIMED]
    app.config["SMTP_PORT"] = smtp.port
    assert run(app, now + timedelta(hours=1)) == 0  # the week is taken: no second digest queued
    assert smtp.messages == []  # and the first waits for its next try
    send_queued_mail(app, now=utcnow() + timedelta(minutes=2))
    assert len(smtp.to("camille@example.org")) == 1
    assert [row.status for row in deliveries(app)] == [DeliveryStatus.SENT]
    send_queued_mail(app, now=utcnow() + timedelta(days=1))
    assert len(smtp.messages) == 1


def test_without_base_url_the_job_says_so_and_claims_nothing(app, auth, smtp, caplog):
    subscriber(app, auth)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    app.config["BASE_URL"] = None
    with caplog.at_level(logging.ERROR):
        assert run(app, now) == 0
    assert "set BASE_URL" in caplog.text
    assert deliveries(app) == []
    app.config["BASE_URL"] = BASE_URL
    assert run(app, now) == 1


def test_dismissed_and_unmatched_posts_stay_out(app, auth, smtp):
    user = subscriber(app, auth)
    need = choose_need(app, user)
    now = next_monday(10)
    dismissed = publish(app, "Dismissed post", now - timedelta(hours=2), need_ids=[need])
    publish(app, "Kept post", now - timedelta(hours=3), need_ids=[need])
    with app.app_context():
        from advocacy.services import personal_feed

        personal_feed.dismiss(get_session(), user.id, dismissed, now)
        get_session().commit()
    run(app, now)
    text = parts(smtp.messages[0])["text/plain"]
    assert "Kept post" in text and "Dismissed post" not in text


def test_deliveries_are_exported_and_erased(app, client, auth, smtp):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "personal-data-export.schema.json")
                        .read_text())
    user = auth.create_user(Role.AMBASSADOR, email="camille@example.org", name="Camille", language="en")
    grant(app, user, Purpose.DIGEST)
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    run(app, now)
    auth.login("camille@example.org", "ambassador-password")
    data = client.get("/me/data/export.json").get_json()
    jsonschema.validate(data, schema)
    [entry] = data["digest_deliveries"]
    assert entry["status"] == "sent" and entry["week_start"] == now.astimezone(ZONE).date().isoformat()
    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(DigestDelivery)) == 0
        assert get_session().get(AmbassadorProfile, user.id) is None


def test_two_runs_at_the_same_time_send_each_digest_once(app, auth, smtp):
    import threading

    people = [subscriber(app, auth, email=f"p{i}@example.org", name=f"P{i}") for i in range(3)]
    now = next_monday(10)
    publish(app, "Highlight for all", now - timedelta(hours=3), highlighted=True)
    start = threading.Barrier(2)
    sent = []

    def one_run():
        start.wait()
        with app.app_context():  # each run its own session, as two scheduler processes would
            sent.append(mailings.send_digests(now=now).queued)

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for run_ in runs:
        run_.start()
    for run_ in runs:
        run_.join()
    assert sum(sent) == 3
    send_queued_mail(app)
    assert sorted(m["To"] for m in smtp.messages) == sorted(p.email for p in people)
    assert len(deliveries(app)) == 3
