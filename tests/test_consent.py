"""Consent per purpose (privacy principle 2, docs/privacy.md), each rule shown by a test."""

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import ConsentRecord, ConsentText, Purpose, Role, User
from advocacy.services import ambassadors, clock, consent


def records(app, user_id, purpose=None):
    with app.app_context():
        query = select(ConsentRecord).where(ConsentRecord.user_id == user_id)
        if purpose:
            query = query.where(ConsentRecord.purpose == purpose)
        return list(get_session().scalars(query.order_by(ConsentRecord.id)))


def current(app, purpose, language="en"):
    with app.app_context():
        return consent.current_text(get_session(), purpose, language)


def test_new_ambassador_must_accept_the_charter_first(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False, language="en")
    assert client.get("/").headers["Location"] == "/me/charter"
    page = client.get("/me/charter")
    assert b"Ambassador charter" in page.data and b"2 to 4 hours a month" in page.data
    assert b"checked" not in page.data  # nothing ticked for them
    charter = current(app, Purpose.MEMBERSHIP)
    response = client.post("/me/charter", data={"accept": "y", "version": charter.version, "language": "en"})
    assert response.headers["Location"] == "/welcome/consents"  # the guided steps go on
    [record] = records(app, user.id)
    assert record.purpose == Purpose.MEMBERSHIP and record.granted
    assert record.text_version == charter.version and record.language == "en" and record.channel.value == "web"
    expected = hashlib.sha256(f"{charter.title}\n\n{charter.body}".encode()).hexdigest()
    assert record.text_sha256 == expected
    assert client.get("/").headers["Location"] == "/welcome/consents"  # in, and resuming the first steps
    with app.app_context():
        profile = ambassadors.profile_of(get_session(), user.id)
        today = clock.program_today(app.config["TIMEZONE"])  # the program's day, as the web pages use
        assert profile.mandate_ends_on == ambassadors.add_months(today, 12)


def test_charter_not_accepted_without_the_box(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False, language="en")
    charter = current(app, Purpose.MEMBERSHIP)
    response = client.post("/me/charter", data={"version": charter.version, "language": "en"})
    assert response.status_code == 200 and b"Tick the box to join." in response.data
    assert records(app, user.id) == []


def test_optional_consents_start_not_given(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    html = client.get("/me/consents").get_data(as_text=True)
    assert html.count("Not given") == 6  # every optional purpose (notifications: one per channel)
    assert "checked" not in html


def test_grant_and_withdraw_are_one_click_each_and_append_records(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    text = current(app, Purpose.DIRECTORY)
    client.post("/me/consents/directory/grant", data={"version": text.version, "language": "en"})
    with app.app_context():
        assert consent.has_consent(get_session(), user.id, Purpose.DIRECTORY)
    client.post("/me/consents/directory/withdraw")
    with app.app_context():
        assert not consent.has_consent(get_session(), user.id, Purpose.DIRECTORY)
    decisions = [(r.granted, r.text_version) for r in records(app, user.id, Purpose.DIRECTORY)]
    assert decisions == [(True, text.version), (False, text.version)]
    html = client.get("/me/consents").get_data(as_text=True)
    assert "Withdrawn" in html and "Given" in html  # the history


def test_consent_records_are_append_only(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    with app.app_context():
        session = get_session()
        record = session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
        record.granted = False
        with pytest.raises(ValueError, match="append-only"):
            session.flush()


def publish_new_charter(app):
    with app.app_context():
        session = get_session()
        version = consent.publish_texts(session, Purpose.MEMBERSHIP, {
            "fr": ("Charte v2", "Nouveau texte."), "en": ("Charter v2", "New text.")}, author=None,
            mandate_months=6)
        session.commit()
        return version


def test_new_charter_version_asks_again_and_old_grant_does_not_carry_over(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    assert client.get("/").status_code == 200
    version = publish_new_charter(app)
    assert client.get("/").headers["Location"] == "/me/charter"
    page = client.get("/me/charter")
    assert b"The charter has changed" in page.data and b"New text." in page.data
    with app.app_context():
        assert not consent.has_consent(get_session(), user.id, Purpose.MEMBERSHIP)
        assert not ambassadors.digest_recipients(get_session(), date.today())
    client.post("/me/charter", data={"accept": "y", "version": version, "language": "en"})
    assert client.get("/").status_code == 200


def test_grant_of_an_outdated_text_is_refused(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    old = current(app, Purpose.DIGEST)
    with app.app_context():
        session = get_session()
        consent.publish_texts(session, Purpose.DIGEST, {"fr": ("R", "v2"), "en": ("D", "v2")}, author=None)
        session.commit()
    response = client.post("/me/consents/digest/grant", data={"version": old.version, "language": "en"},
                           follow_redirects=True)
    assert b"changed while you were reading" in response.data
    assert records(app, user.id, Purpose.DIGEST) == []


def test_consent_on_an_older_text_stops_counting(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    text = current(app, Purpose.DIGEST)
    client.post("/me/consents/digest/grant", data={"version": text.version, "language": "en"})
    with app.app_context():
        session = get_session()
        assert [u.id for u in ambassadors.digest_recipients(session, date.today())] == [user.id]
        consent.publish_texts(session, Purpose.DIGEST, {"fr": ("R", "v2"), "en": ("D", "v2")}, author=None)
        session.commit()
        assert ambassadors.digest_recipients(session, date.today()) == []
    assert b"The text changed" in client.get("/me/consents").data


def grant(app, user, purpose):
    with app.app_context():
        session = get_session()
        consent.grant(session, session.get(User, user.id), consent.current_text(session, purpose, "en"))
        session.commit()


def test_directory_lists_only_those_who_consented(app, client, auth):
    listed = auth.create_user(Role.AMBASSADOR, email="listed@example.org", name="Listed Person")
    auth.create_user(Role.AMBASSADOR, email="quiet@example.org", name="Quiet Person")
    grant(app, listed, Purpose.DIRECTORY)
    auth.login_as(Role.CURATOR)
    html = client.get("/directory").get_data(as_text=True)
    assert "Listed Person" in html and "Quiet Person" not in html
    with app.app_context():
        consent.withdraw(get_session(), listed.id, Purpose.DIRECTORY)
        get_session().commit()
    assert "Listed Person" not in client.get("/directory").get_data(as_text=True)


def test_no_digest_without_consent_or_while_paused(app, auth):
    yes = auth.create_user(Role.AMBASSADOR, email="yes@example.org")
    auth.create_user(Role.AMBASSADOR, email="no@example.org")
    grant(app, yes, Purpose.DIGEST)
    with app.app_context():
        session = get_session()
        assert [u.email for u in ambassadors.digest_recipients(session, date.today())] == ["yes@example.org"]
        ambassadors.profile_of(session, yes.id).paused_until = date.today() + timedelta(days=3)
        session.commit()
        assert ambassadors.digest_recipients(session, date.today()) == []
        assert ambassadors.digest_recipients(session, date.today() + timedelta(days=4))  # pause over


def test_named_thanks_only_with_consent(app, auth):
    yes = auth.create_user(Role.AMBASSADOR, email="thanks@example.org", name="Thank Me")
    auth.create_user(Role.AMBASSADOR, email="nothanks@example.org", name="Not Me")
    grant(app, yes, Purpose.NAMED_THANKS)
    with app.app_context():
        assert [u.name for u in ambassadors.thankable_by_name(get_session(), date.today())] == ["Thank Me"]
        consent.withdraw(get_session(), yes.id, Purpose.NAMED_THANKS)
        assert ambassadors.thankable_by_name(get_session(), date.today()) == []


def test_withdrawal_effects_run_at_once(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    seen = []
    consent.WITHDRAWAL_EFFECTS[Purpose.SHARE_ATTRIBUTION].append(lambda session, user_id: seen.append(user_id))
    try:
        with app.app_context():
            consent.withdraw(get_session(), user.id, Purpose.SHARE_ATTRIBUTION)
            consent.withdraw(get_session(), user.id, Purpose.SHARE_ATTRIBUTION)  # nothing left to withdraw
    finally:
        consent.WITHDRAWAL_EFFECTS[Purpose.SHARE_ATTRIBUTION].pop()
    assert seen == [user.id]


def test_admin_publishes_a_new_text_version(app, client, auth):
    auth.login_as(Role.ADMIN, language="en")
    page = client.get("/admin/program/texts")
    assert page.status_code == 200 and b"Ambassador charter" in page.data
    data = {"membership-title_fr": "Charte", "membership-body_fr": "Texte", "membership-title_en": "Charter",
            "membership-body_en": "Text", "membership-mandate_months": "6"}
    assert client.post("/admin/program/texts/membership", data=data).status_code == 302
    text = current(app, Purpose.MEMBERSHIP)
    assert text.version == 2 and text.body == "Text" and text.mandate_months == 6
    with app.app_context():
        assert get_session().scalar(select(ConsentText).where(ConsentText.version == 1,
                                                              ConsentText.purpose == Purpose.MEMBERSHIP))
    bad = client.post("/admin/program/texts/membership", data={**data, "membership-body_en": ""})
    assert bad.status_code == 400 and b"Charte" in bad.data  # what was typed is kept


def test_only_admins_edit_texts(client, auth):
    auth.login_as(Role.CURATOR)
    assert client.get("/admin/program/texts").status_code == 403
