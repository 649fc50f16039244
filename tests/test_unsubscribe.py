"""One-click unsubscribe from the digest: the link in a real e-mail, no login, CSRF on."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest

from advocacy import mailings
from advocacy.db import get_session
from advocacy.models import ConsentChannel, Purpose, Role
from advocacy.services import consent
from digest_helpers import BASE_URL, camille_is_sent_a_digest, grant, next_monday, publish, smtp  # noqa: F401
from mail_helpers import send_queued_mail


@pytest.fixture
def app_config(smtp):
    # CSRF is on here, as in production: the one-click POST must pass without a token.
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def unsubscribe_path(app, auth, smtp):
    """The path of the unsubscribe link in the digest Camille received."""
    user = camille_is_sent_a_digest(app, auth)
    [message] = smtp.messages
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith(BASE_URL)
    return urlsplit(url).path, user


def digest_records(app, user):
    with app.app_context():
        return [r for r in consent.history(get_session(), user.id) if r.purpose == Purpose.DIGEST]


def subscribed(app, user) -> bool:
    with app.app_context():
        return consent.has_consent(get_session(), user.id, Purpose.DIGEST)


def test_get_shows_a_button_and_changes_nothing(app, client, unsubscribe_path):
    path, user = unsubscribe_path
    for _ in range(2):  # link scanners fetch the page, sometimes twice
        response = client.get(path)
        assert response.status_code == 200
        assert b"<form method=\"post\"" in response.data and b"Unsubscribe" in response.data
    assert subscribed(app, user)
    assert len(digest_records(app, user)) == 1  # the grant only


def test_the_button_withdraws_with_an_email_link_record_without_login(app, client, unsubscribe_path):
    path, user = unsubscribe_path
    response = client.post(path)
    assert response.status_code == 200 and b"You are unsubscribed" in response.data
    assert not subscribed(app, user)
    granted, withdrawn = digest_records(app, user)[::-1]
    assert granted.granted and not withdrawn.granted
    assert withdrawn.channel == ConsentChannel.EMAIL and withdrawn.text_version == granted.text_version
    # Twice is harmless: no second record, the same kind page.
    again = client.post(path)
    assert again.status_code == 200
    assert len(digest_records(app, user)) == 2
    assert b"You do not receive the weekly digest" in client.get(path).data


def test_rfc8058_one_click_post_works_without_csrf_token(app, client, unsubscribe_path):
    path, user = unsubscribe_path
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not subscribed(app, user)
    assert digest_records(app, user)[0].channel == ConsentChannel.EMAIL
    # Elsewhere CSRF still holds: a form POST without a token is refused.
    assert client.post("/logout").status_code == 400


def test_the_other_mail_stops_too_and_a_second_digest_is_not_sent(app, client, smtp, unsubscribe_path):
    path, _user = unsubscribe_path
    client.post(path)
    publish(app, "Another highlight", next_monday(10) + timedelta(days=6), highlighted=True)
    with app.app_context():
        assert mailings.send_digests(now=next_monday(10) + timedelta(days=7)).queued == 0
    send_queued_mail(app)
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature altered
    lambda token: "WzEsMF0." + token.split(".", 1)[1],  # another user id, same signature
    lambda token: "not-a-token",
])
def test_a_tampered_token_is_refused_and_nothing_changes(app, client, unsubscribe_path, tamper):
    path, user = unsubscribe_path
    token = path.rsplit("/", 1)[1]
    bad = f"/unsubscribe/{tamper(token)}"
    english = {"Accept-Language": "en"}  # nobody is known from a bad token: the visitor's language
    for response in (client.get(bad, headers=english),
                     client.post(bad, data="List-Unsubscribe=One-Click", headers=english,
                                 content_type="application/x-www-form-urlencoded")):
        assert response.status_code == 404
        assert b"This unsubscribe link is not valid" in response.data
    assert subscribed(app, user)
    assert len(digest_records(app, user)) == 1


def test_an_erased_account_link_reaches_nobody(app, client, auth, unsubscribe_path):
    path, user = unsubscribe_path
    with app.app_context():
        from advocacy.services import personal_data

        session = get_session()
        personal_data.erase(session, session.get(type(user), user.id), "ambassador-password")
        session.commit()
    other = auth.create_user(Role.AMBASSADOR, email="next@example.org", name="Next", language="en")
    grant(app, other, Purpose.DIGEST)
    assert client.post(path).status_code == 404
    assert subscribed(app, other)


def test_a_french_recipient_sees_the_page_in_french(app, client, auth, smtp):
    user = auth.create_user(Role.AMBASSADOR, email="claire@example.org", name="Claire", language="fr")
    grant(app, user, Purpose.DIGEST, "fr")
    now = next_monday(10)
    publish(app, "Temps fort", now - timedelta(hours=3), highlighted=True)
    with app.app_context():
        mailings.send_digests(now=now)
    send_queued_mail(app)
    message = message_from_bytes(bytes(smtp.messages[0]), policy=policy.default)
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Se désabonner" in html
