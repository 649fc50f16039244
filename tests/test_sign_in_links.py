"""Sign-in by an e-mailed one-time link: the same answer for everyone, once, briefly, for active accounts."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import Role, SignInLink, User, UserSession
from advocacy.services import accounts, ambassadors, clock
from mail_helpers import send_queued_mail
from test_invitations import outbox_messages
from test_mail import smtp_server  # noqa: F401  (a fixture)

ENABLED = {"SIGN_IN_LINKS": True}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def app_config():
    return ENABLED


def ask(client, email, **kwargs):
    kwargs.setdefault("headers", ENGLISH)
    return client.post("/sign-in-link", data={"email": email}, **kwargs)


def without_csrf(response) -> str:
    """The page less its CSRF tokens, which differ from browser to browser anyway."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/sign-in-link/\S+)", body).group(1)


def links(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(SignInLink))


def sessions_of(app, user_id) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(UserSession)
                                    .where(UserSession.user_id == user_id))


def test_the_link_signs_in_after_a_button_press(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    assert "/sign-in-link" in client.get("/login").get_data(as_text=True)
    assert ask(client, user.email).status_code == 200
    [message] = outbox_messages(app)
    assert message["To"] == user.email
    link = link_in(message)
    assert "/sign-in-link/" + "x" * 10 not in link

    # Opening the link (as a mail scanner does) signs nobody in and uses nothing.
    page = client.get(link)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert client.get(link).status_code == 200
    assert sessions_of(app, user.id) == 0

    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/me/data").status_code == 200
    assert sessions_of(app, user.id) == 1


def test_the_link_works_once(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    ask(client, user.email)
    link = link_in(outbox_messages(app)[0])
    assert client.post(link).status_code == 302
    other = app.test_client()
    for response in (other.get(link, headers=ENGLISH), other.post(link, headers=ENGLISH)):
        assert response.status_code == 410
        assert "already been used" in response.get_data(as_text=True)
    assert other.get("/me/data").status_code == 302
    assert sessions_of(app, user.id) == 1


def test_the_link_expires(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        ask(client, user.email)
    link = link_in(outbox_messages(app)[0])
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        response = client.post(link, headers=ENGLISH)
        assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
        assert client.get("/me/data").status_code == 302
        with app.app_context():
            jobs.prune_sessions()
    assert links(app) == 0


def test_the_same_answer_whether_or_not_the_address_has_an_account(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    known = ask(app.test_client(), user.email)
    unknown = ask(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known) == without_csrf(unknown)
    assert "If an account exists for this address" in known.get_data(as_text=True)
    assert [m["To"] for m in outbox_messages(app)] == [user.email]


def test_a_deactivated_or_departed_person_gets_nothing(app, auth):
    admin = auth.create_user(Role.ADMIN)
    gone = auth.create_user(Role.AMBASSADOR, email="gone@example.org")
    left = auth.create_user(Role.AMBASSADOR, email="left@example.org")
    with app.app_context():
        db = get_session()
        accounts.set_active(db, db.get(User, gone.id), False, acting=db.get(User, admin.id))
        ambassadors.leave(db, db.get(User, left.id))
        db.commit()
    answers = {without_csrf(ask(app.test_client(), email)) for email in (gone.email, left.email, "nobody@example.org")}
    assert len(answers) == 1
    assert outbox_messages(app) == [] and links(app) == 0


def test_deactivation_after_the_mail_makes_the_link_useless(app, client, auth):
    admin = auth.create_user(Role.ADMIN)
    user = auth.create_user(Role.AMBASSADOR)
    ask(client, user.email)
    link = link_in(outbox_messages(app)[0])
    with app.app_context():
        db = get_session()
        accounts.set_active(db, db.get(User, user.id), False, acting=db.get(User, admin.id))
        db.commit()
    assert client.post(link).status_code == 410
    assert sessions_of(app, user.id) == 0


def test_erasure_deletes_pending_links(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    ask(app.test_client(), user.email)
    assert links(app) == 1
    client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert links(app) == 0


def test_an_unknown_token_is_refused_clearly(client):
    response = client.get("/sign-in-link/guessed-token", headers=ENGLISH)
    assert response.status_code == 410 and "not valid" in response.get_data(as_text=True)
    assert client.post("/sign-in-link/guessed-token").status_code == 410


def test_a_bad_address_is_shown_with_what_was_typed(app, client):
    response = ask(client, "not-an-address")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in html and 'value="not-an-address"' in html
    assert outbox_messages(app) == []


def test_the_link_leads_where_the_sign_in_page_was_going_and_can_keep_me_signed_in(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    login = client.get("/login?next=/me/consents").get_data(as_text=True)
    assert "/sign-in-link?next=/me/consents" in login
    client.post("/sign-in-link", data={"email": user.email, "next": "/me/consents"})
    link = link_in(outbox_messages(app)[0])
    assert "next=/me/consents" in link
    response = client.post(link, data={"remember": "y", "next": "/me/consents"})
    assert response.headers["Location"] == "/me/consents"
    name = app.config["SESSION_COOKIE_NAME"]
    assert any(h.startswith(f"{name}=") and "Expires=" in h for h in response.headers.getlist("Set-Cookie"))


def test_an_outside_next_is_not_followed(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    client.post("/sign-in-link", data={"email": user.email, "next": "https://evil.example/"})
    link = link_in(outbox_messages(app)[0])
    assert "evil" not in link
    assert client.post(link, data={"next": "https://evil.example/"}).headers["Location"] == "/"


def test_the_mail_is_in_the_persons_language(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email="fr@example.org", language="fr")
    auth.create_user(Role.CURATOR, email="en@example.org", language="en")
    ask(client, "fr@example.org", headers={"Accept-Language": "en"})
    ask(client, "en@example.org", headers={"Accept-Language": "fr"})
    by_address = {message["To"]: message for message in outbox_messages(app)}
    assert by_address["fr@example.org"]["Subject"] == "Votre lien pour vous connecter à Relais"
    assert by_address["en@example.org"]["Subject"] == "Your link to sign in to Relais"


def test_reloading_the_answer_sends_no_second_link(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    form = client.get("/sign-in-link").get_data(as_text=True)
    intent = re.search(r'name="intent" value="([^"]+)"', form).group(1)
    for _ in range(3):
        assert client.post("/sign-in-link", data={"email": user.email, "intent": intent}).status_code in (200, 302)
    assert len(outbox_messages(app)) == 1


class TestOffByDefault:
    @pytest.fixture
    def app_config(self):
        return {}

    def test_no_link_is_offered_or_served(self, client):
        assert "/sign-in-link" not in client.get("/login").get_data(as_text=True)
        assert client.get("/sign-in-link").status_code == 404
        assert ask(client, "a@example.org").status_code == 404
        assert client.get("/sign-in-link/anything").status_code == 404


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {**ENABLED, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute",
                "SIGN_IN_LINK_RATE_LIMIT": "2 per 15 minutes"}

    def test_asking_is_limited_per_address_typed_known_or_not(self, app, auth):
        user = auth.create_user(Role.AMBASSADOR)
        start = clock.now()
        with time_machine.travel(start, tick=False):
            for email in (user.email, "nobody@example.org"):
                codes = [ask(app.test_client(), email, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
                         for n in range(3)]
                assert codes == [200, 200, 429], email
            assert len(outbox_messages(app)) == 2
        with time_machine.travel(start + timedelta(minutes=16), tick=False):
            assert ask(app.test_client(), user.email, environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 200
            assert len(outbox_messages(app)) == 3

    def test_asking_is_limited_per_client_address(self, app):
        browser = app.test_client()
        codes = [ask(browser, f"person{n}@example.org").status_code for n in range(11)]
        assert codes == [200] * 10 + [429]


class TestOverSmtp:
    @pytest.fixture
    def app_config(self, smtp_server):
        controller, _handler = smtp_server
        return {**ENABLED, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port}

    def test_the_link_arrives_by_smtp_and_works(self, app, client, auth, smtp_server):
        _controller, handler = smtp_server
        user = auth.create_user(Role.AMBASSADOR)
        ask(client, user.email)
        assert handler.messages == []  # queued: the request did not wait on the mail server
        send_queued_mail(app)
        [message] = handler.messages
        assert message["To"] == user.email
        link = re.search(r"http://localhost(/sign-in-link/\S+)", message.get_payload(decode=True).decode()).group(1)
        assert client.post(link).status_code == 302
        assert client.get("/me/data").status_code == 200


def test_a_link_opened_in_a_browser_signed_in_as_someone_else_ends_that_session(app, client, auth):
    colleague = auth.login_as(Role.CURATOR)
    user = auth.create_user(Role.AMBASSADOR)
    ask(app.test_client(), user.email)
    assert client.post(link_in(outbox_messages(app)[0])).status_code == 302
    assert sessions_of(app, colleague.id) == 0 and sessions_of(app, user.id) == 1
    assert client.get("/me/data").status_code == 200
