"""The admin digest page's "Send me a preview": the admin's own copy, once per click, nothing recorded."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import DigestDelivery, Role, utcnow
from digest_helpers import BASE_URL, publish, smtp  # noqa: F401
from idempotency_helpers import fresh, replay
from mail_helpers import send_queued_mail

PAGE = "/admin/program/digest"
ACTION = "/admin/program/digest/preview"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


@pytest.fixture
def app_config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "BASE_URL": BASE_URL}


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_the_admin_gets_one_preview_per_click_marked_preview(app, client, auth, smtp):
    admin = auth.login_as(Role.ADMIN, email="boss@example.org", language="en")
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    publish(app, "Fresh post", utcnow() - timedelta(seconds=1))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Send me a preview" in page and "boss@example.org" in page

    responses = replay(client, ACTION, fresh(client, PAGE, ACTION))  # a double click and a reload
    assert all(r.status_code == 302 and r.headers["Location"].endswith(PAGE) for r in responses)
    assert smtp.messages == []  # queued: the page did not wait on the mail server
    send_queued_mail(app)
    [message] = smtp.messages
    assert message["To"] == admin.email
    assert message["Subject"] == "[Preview] Your week on Relais"
    text = parts(message)["text/plain"]
    assert "Fresh highlight" in text and "Fresh post" in text  # a sample: the week's newest, not "fit"
    assert count(app, DigestDelivery) == 0  # the real digest is not marked sent
    assert "A preview of the digest is on its way to boss@example.org." in client.get(PAGE).get_data(as_text=True)

    replay(client, ACTION, fresh(client, PAGE, ACTION), times=1)  # a new click: a new preview
    send_queued_mail(app)
    assert len(smtp.messages) == 2


def test_the_preview_is_in_the_admins_language(app, client, auth, smtp):
    auth.login_as(Role.ADMIN, email="boss@example.org", language="fr")
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    replay(client, ACTION, fresh(client, PAGE, ACTION), times=1)
    send_queued_mail(app)
    assert smtp.messages[0]["Subject"] == "[Aperçu] Votre semaine sur Relais"


def test_nothing_new_sends_nothing_and_says_why(app, client, auth, smtp):
    auth.login_as(Role.ADMIN, language="en")
    response = client.post(ACTION, data=fresh(client, PAGE, ACTION), follow_redirects=True)
    assert "Nothing was published since the last digest" in response.get_data(as_text=True)
    send_queued_mail(app)
    assert smtp.messages == []


def test_with_the_mail_server_down_the_preview_waits_in_the_outbox_and_admins_see_it_fail(app, client, auth, smtp):
    app.config["SMTP_PORT"] = closed_port()  # read at each send
    auth.login_as(Role.ADMIN, email="boss@example.org", language="en")
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    response = client.post(ACTION, data=fresh(client, PAGE, ACTION), follow_redirects=True)
    assert response.status_code == 200  # the page answers at once: nothing waited on the server
    assert count(app, DigestDelivery) == 0
    send_queued_mail(app)
    mail_page = client.get("/admin/mail").get_data(as_text=True)
    assert "ConnectionRefusedError" in mail_page and "bo…@example.org" in mail_page
    assert "boss@example.org" not in mail_page.split("<main", 1)[1].split("</main>", 1)[0]
    app.config["SMTP_PORT"] = smtp.port
    send_queued_mail(app, now=utcnow() + timedelta(minutes=2))  # after the first back-off
    assert [m["Subject"] for m in smtp.messages] == ["[Preview] Your week on Relais"]


@pytest.mark.parametrize("role", [Role.CURATOR, Role.AMBASSADOR])
def test_only_admins_may_ask_for_a_preview(app, client, auth, smtp, role):
    auth.login_as(role, language="en")
    publish(app, "Fresh highlight", utcnow() - timedelta(seconds=1), highlighted=True)
    assert client.post(ACTION).status_code == 403
    assert smtp.messages == []
