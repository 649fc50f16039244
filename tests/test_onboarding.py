"""The guided first steps: invitation → charter → consents → about you → the feed, resumed from data."""

import re

from sqlalchemy import select, text

from advocacy import migrate
from advocacy.db import get_engine, get_session
from advocacy.models import AmbassadorProfile, ConsentRecord, Purpose, Role, User
from advocacy.services import ambassadors, consent
from test_invitations import invitation_link, invite, outbox_messages
from test_personal_feed import world  # noqa: F401

EN = {"Accept-Language": "en"}
PASSWORD = "a long enough password"


def page(client, path: str) -> str:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def current_text(app, purpose):
    with app.app_context():
        return consent.current_text(get_session(), purpose, "en")


def accept_charter(app, client):
    charter = current_text(app, Purpose.MEMBERSHIP)
    return client.post("/me/charter", data={"accept": "y", "version": charter.version, "language": "en"})


def profile_of(app, user_id) -> AmbassadorProfile:
    with app.app_context():
        return get_session().get(AmbassadorProfile, user_id)


def user_by_email(app, email) -> User:
    with app.app_context():
        return get_session().scalar(select(User).where(User.email == email))


def test_the_whole_journey_from_the_invitation_to_the_feed(app, client, auth, world):
    needs, topics = world
    auth.login_as(Role.ADMIN)
    invite(client, "newcomer@example.org", role="ambassador")
    link = invitation_link(outbox_messages(app)[-1])
    auth.logout()

    assert "Step 1 of 4" in page(client, link)
    client.post(link, data={"name": "Newcomer", "password": PASSWORD, "confirm": PASSWORD,
                                       "language": "en"})
    assert client.get("/").headers["Location"] == "/me/charter"
    charter = page(client, "/me/charter")
    assert "Step 2 of 4" in charter and "checked" not in charter and "The charter has changed" not in charter

    response = accept_charter(app, client)
    assert response.headers["Location"] == "/welcome/consents"
    consents = page(client, "/welcome/consents")
    assert "Step 3 of 4" in consents
    assert consents.count("Not given") == 6 and "checked" not in consents  # every purpose, none chosen for them
    assert "Program membership" not in consents  # the charter was the step before
    assert 'href="/welcome/about"' in consents and "Continue without giving any" in consents

    digest = current_text(app, Purpose.DIGEST)
    response = client.post("/me/consents/digest/grant", data={
        "version": digest.version, "language": "en", "next": "/welcome/consents#purpose-digest"})
    assert response.headers["Location"] == "/welcome/consents#purpose-digest"  # back on the step
    assert ">Continue<" in page(client, "/welcome/consents")

    about = page(client, "/welcome/about")
    assert "Step 4 of 4" in about and "Skip for now" in about
    assert "data-mastodon-instance" in about and "js/networks.js" in about and "<script>" not in about
    assert 'name="department"' not in about and 'name="paused_until"' not in about  # later, on the profile

    # Mastodon without its instance: a clear error beside the field, and nothing typed is lost.
    chosen = {"needs": [needs["career"]], "topics": [topics["Energy"]], "networks": ["x", "mastodon"],
              "mastodon_instance": "", "language": "en"}
    response = client.post("/welcome/about", data=chosen, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "mastodon_instance-error" in html
    assert re.search(rf'<input checked[^>]*name="needs" type="checkbox" value="{needs["career"]}"', html)
    assert re.search(r'<input checked[^>]*value="mastodon"', html)
    user = user_by_email(app, "newcomer@example.org")
    assert profile_of(app, user.id).onboarded_at is None and profile_of(app, user.id).networks == []

    response = client.post("/welcome/about", data={**chosen, "mastodon_instance": "https://Piaille.fr/"})
    assert response.headers["Location"] == "/"
    own = profile_of(app, user.id)
    assert own.onboarded_at is not None and own.networks == ["x", "mastodon"] and own.mastodon_instance == "piaille.fr"
    with app.app_context():
        assert ambassadors.chosen_need_ids(get_session(), user.id) == [needs["career"]]
    feed = page(client, "/")
    assert "Welcome! Here are the posts suggested for you." in feed
    # Done: the steps lead home now.
    assert client.get("/welcome/about").headers["Location"] == "/"
    assert client.get("/welcome/").headers["Location"] == "/"


def test_someone_who_stops_halfway_resumes_where_they_were(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False, language="en")
    accept_charter(app, client)
    auth.logout()
    auth.login(user.email, "ambassador-password")
    assert client.get("/").headers["Location"] == "/welcome/consents"
    assert client.get("/welcome/").headers["Location"] == "/welcome/consents"

    text_ = current_text(app, Purpose.SHARE_ATTRIBUTION)
    client.post("/me/consents/share_attribution/grant", data={"version": text_.version, "language": "en"})
    auth.logout()
    auth.login(user.email, "ambassador-password")
    assert client.get("/").headers["Location"] == "/welcome/about"  # their consent decided: the next step
    assert "Step 4 of 4" in page(client, "/welcome/about")
    assert "Step 3 of 4" in page(client, "/welcome/consents")  # going back stays possible
    # Their other pages stay open meanwhile: only the feed resumes the steps.
    assert client.get("/me/profile").status_code == 200


def test_skipping_about_you_finishes_the_steps_and_saves_nothing(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False, language="en")
    accept_charter(app, client)
    assert "Skip for now" in page(client, "/welcome/about")
    response = client.post("/welcome/skip", headers=EN)
    assert response.headers["Location"] == "/"
    own = profile_of(app, user.id)
    assert own.onboarded_at is not None and own.networks == []
    with app.app_context():
        records = get_session().scalars(select(ConsentRecord.purpose).where(ConsentRecord.user_id == user.id))
        assert list(records) == [Purpose.MEMBERSHIP]  # nothing granted for them
    assert "Welcome!" in page(client, "/")
    first = own.onboarded_at
    client.post("/welcome/skip")  # a repeat keeps the first time
    assert profile_of(app, user.id).onboarded_at == first


def test_the_steps_are_not_for_someone_before_the_charter_or_already_in(app, client, auth):
    auth.login_as(Role.AMBASSADOR, member=False, language="en")
    assert client.get("/welcome/consents").headers["Location"] == "/me/charter"
    assert client.post("/welcome/skip").headers["Location"] == "/me/charter"  # no profile to mark
    auth.logout()
    auth.login_as(Role.AMBASSADOR, email="already@example.org")
    assert client.get("/").status_code == 200
    assert client.get("/welcome/consents").headers["Location"] == "/"
    auth.logout()
    auth.login_as(Role.CURATOR)
    assert client.get("/welcome/").status_code == 403


def test_a_decision_never_leads_off_site(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR, member=False, language="en")
    accept_charter(app, client)
    digest = current_text(app, Purpose.DIGEST)
    response = client.post("/me/consents/digest/grant", data={
        "version": digest.version, "language": "en", "next": "https://elsewhere.example/"})
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert consent.has_consent(get_session(), user.id, Purpose.DIGEST)


def test_a_staff_invitation_shows_no_ambassador_steps(app, client, auth):
    auth.login_as(Role.ADMIN)
    invite(client, "staff@example.org", role="curator")
    link = invitation_link(outbox_messages(app)[-1])
    auth.logout()
    assert "Step 1 of 4" not in page(client, link)


def test_the_migration_counts_existing_ambassadors_as_onboarded(app, auth):
    user = auth.create_user(Role.AMBASSADOR, onboarded=False)
    migrate.downgrade(app, "0021")
    migrate.upgrade(app)
    with app.app_context(), get_engine().connect() as connection:
        joined, onboarded = connection.execute(text(
            "SELECT joined_at, onboarded_at FROM ambassador_profiles WHERE user_id = :id"), {"id": user.id}).one()
    assert onboarded is not None and onboarded == joined
