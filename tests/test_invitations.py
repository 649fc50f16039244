"""Admins invite people; the link works once, before it expires."""

import re
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import Invitation, Role, utcnow
from mail_helpers import send_queued_mail


def outbox_messages(app):
    """The .eml files in instance/outbox/, once the send-mail job has sent what is queued."""
    send_queued_mail(app)
    outbox = app.instance_path + "/outbox"
    import pathlib

    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(pathlib.Path(outbox).glob("*.eml"))]


def invitation_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/invitation/\S+)", body).group(1)


def invite(client, email="new.person@example.org", role="curator"):
    return client.post("/admin/invitations", data={"email": email, "role": role})


def test_invitation_round_trip(app, client, auth):
    auth.login_as(Role.ADMIN)
    response = invite(client)
    assert response.status_code == 302
    [message] = outbox_messages(app)
    assert message["To"] == "new.person@example.org"
    link = invitation_link(message)
    auth.logout()

    page = client.get(link)
    assert page.status_code == 200 and b"new.person@example.org" in page.data
    response = client.post(link, data={"name": "Nouvelle Personne", "password": "a long enough password",
                                       "confirm": "a long enough password", "language": "en"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("new.person@example.org", "a long enough password").status_code == 302
    with app.app_context():
        from advocacy.services.accounts import find_by_email

        assert find_by_email(get_session(), "new.person@example.org").role == Role.CURATOR
    # The new curator reaches staff pages but not admin ones.
    assert client.get("/admin/users").status_code == 403


ACCEPTANCE = {"name": "A", "password": "a long enough password", "confirm": "a long enough password", "language": "fr"}


def invited_and_accepted(app, client, auth) -> str:
    """An admin invites someone, who accepts (and is signed in); the invitation's link."""
    auth.login_as(Role.ADMIN)
    invite(client)
    link = invitation_link(outbox_messages(app)[0])
    auth.logout()
    assert client.post(link, data=ACCEPTANCE).status_code == 302
    return link


def test_used_invitation_is_refused_with_a_clear_page(app, client, auth):
    link = invited_and_accepted(app, client, auth)
    auth.logout()
    again = client.get(link, headers={"Accept-Language": "en"})
    assert again.status_code == 410
    assert b"already been used" in again.data
    assert b'<a class="button" href="/login">Sign in</a>' in again.data  # it offers to sign in
    assert client.post(link, data=ACCEPTANCE).status_code == 410


def test_a_used_invitation_opened_by_its_own_signed_in_person_leads_home(app, client, auth):
    link = invited_and_accepted(app, client, auth)
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"] == "/"


def test_expired_invitation_is_refused(app, client, auth):
    auth.login_as(Role.ADMIN)
    invite(client)
    link = invitation_link(outbox_messages(app)[0])
    with app.app_context():
        session = get_session()
        invitation = session.scalar(select(Invitation))
        invitation.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    auth.logout()
    response = client.get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 410 and b"expired" in response.data


def test_unknown_token_is_refused(client):
    response = client.get("/invitation/not-a-real-token", headers={"Accept-Language": "en"})
    assert response.status_code == 410 and b"not valid" in response.data


def test_invitation_expires_after_the_configured_days(app, client, auth):
    auth.login_as(Role.ADMIN)
    invite(client)
    with app.app_context():
        invitation = get_session().scalar(select(Invitation))
        assert timedelta(days=6, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=7)
        assert len(invitation.token_hash) == 64  # only the hash is stored


def test_invalid_acceptance_form_keeps_what_was_typed(app, client, auth):
    auth.login_as(Role.ADMIN)
    invite(client)
    link = invitation_link(outbox_messages(app)[0])
    auth.logout()
    response = client.post(link, data={"name": "Dominique", "password": "short", "confirm": "short",
                                       "language": "en"}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert b'value="Dominique"' in response.data
    assert b"Use at least 10 characters." in response.data
    # The invitation is still usable.
    assert client.get(link).status_code == 200


def test_invalid_invite_form_keeps_input_and_shows_error(client, auth):
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/invitations", data={"email": "not-an-email", "role": "curator"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert b'value="not-an-email"' in response.data
    assert b"Enter a valid e-mail address." in response.data


def test_cannot_invite_an_existing_account(client, auth):
    admin = auth.login_as(Role.ADMIN)
    response = invite(client, email=admin.email)
    assert response.status_code == 400


def test_only_admins_invite(client, auth):
    auth.login_as(Role.CURATOR)
    assert invite(client).status_code == 403


def test_the_invitation_is_written_in_the_language_the_admin_chose(app, client, auth):
    auth.login_as(Role.ADMIN, language="en")
    form = client.get("/admin/users").get_data(as_text=True)
    assert '<option lang="fr" selected value="fr">' in form  # the program's first language
    client.post("/admin/invitations", data={"email": "amb@example.org", "role": "ambassador", "language": "fr"})
    client.post("/admin/invitations", data={"email": "cur@example.org", "role": "curator", "language": "en"})
    by_address = {message["To"]: message for message in outbox_messages(app)}
    french, english = by_address["amb@example.org"], by_address["cur@example.org"]
    assert french["Subject"] == "Vous êtes invité·e à rejoindre Relais"
    assert "à rejoindre Relais en tant qu'ambassadeur·rice." in french.get_body(("plain",)).get_content()
    assert english["Subject"] == "You are invited to join Relais"
    assert "to join Relais as a curator." in english.get_body(("plain",)).get_content()

    auth.logout()
    link = invitation_link(english)
    page = client.get(link, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'selected value="en"' in page  # the account's language, unless the invitee picks another
    client.post(link, data={"name": "Cur", "password": "a long enough password",
                            "confirm": "a long enough password", "language": "en"})
    with app.app_context():
        assert get_session().scalar(select(Invitation.language).where(Invitation.email == "cur@example.org")) == "en"
        from advocacy.services.accounts import find_by_email

        assert find_by_email(get_session(), "cur@example.org").language == "en"
