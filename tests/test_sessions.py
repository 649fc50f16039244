"""Sessions end on the server: a copy of the cookie is worth nothing after sign-out."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import Role, User, UserSession
from advocacy.services import accounts, clock


def cookie_copy(app, client):
    """Another browser holding a copy of this client's session cookie, as a thief would."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def session_rows(app, user_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(UserSession)
        if user_id is not None:
            query = query.where(UserSession.user_id == user_id)
        return get_session().scalar(query)


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    thief = cookie_copy(app, client)
    assert thief.get("/me/data").status_code == 200  # the copy works while the session lives
    assert thief.get("/me/data/export.json").status_code == 200

    auth.logout()
    assert session_rows(app, user.id) == 0
    for path in ["/me/data", "/me/data/export.json", "/"]:
        response = thief.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_signing_out_one_browser_leaves_the_others_signed_in(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    phone = app.test_client()
    phone.post("/login", data={"email": user.email, "password": "ambassador-password"})
    assert session_rows(app, user.id) == 2
    auth.logout()
    assert client.get("/me/data").status_code == 302
    assert phone.get("/me/data").status_code == 200


def test_only_a_hash_of_the_token_is_stored(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    with client.session_transaction() as cookie:
        token = cookie["session_token"]
    with app.app_context():
        stored = get_session().scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_a_forged_token_for_a_real_person_is_refused(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    with client.session_transaction() as cookie:
        assert cookie["_user_id"] == str(user.id)
        cookie["session_token"] = "guessed"
    assert client.get("/me/data").status_code == 302


def test_someone_elses_token_does_not_sign_in_as_me(app, client, auth):
    """A cookie names the person and the session: a valid session of B under A's id is nobody's."""
    me = auth.create_user(Role.AMBASSADOR, email="me@example.org")
    auth.login_as(Role.CURATOR)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(me.id)
    assert client.get("/").status_code == 302


def test_deactivation_deletes_every_session_of_the_person(app, client, auth):
    admin = auth.create_user(Role.ADMIN)
    user = auth.login_as(Role.AMBASSADOR)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "ambassador-password"})
    with app.app_context():
        session = get_session()
        accounts.set_active(session, session.get(User, user.id), False, acting=session.get(User, admin.id))
        session.commit()
    assert session_rows(app, user.id) == 0
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    with app.app_context():  # reactivated, they sign in again: the old cookies stay dead
        session = get_session()
        accounts.set_active(session, session.get(User, user.id), True, acting=session.get(User, admin.id))
        session.commit()
    assert client.get("/").status_code == 302


def test_erasure_leaves_no_session_row(app, client, auth):
    user = auth.login_as(Role.AMBASSADOR)
    app.test_client().post("/login", data={"email": user.email, "password": "ambassador-password"})
    thief = cookie_copy(app, client)
    assert session_rows(app, user.id) == 2
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.headers["Location"] == "/login"
    assert session_rows(app) == 0
    assert thief.get("/me/data").status_code == 302


def test_last_seen_is_written_at_most_every_few_minutes(app, client, auth):
    start = clock.now()
    with time_machine.travel(start, tick=False):
        auth.login_as(Role.AMBASSADOR)

    def last_seen():
        with app.app_context():
            return get_session().scalar(select(UserSession.last_seen_at))

    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert client.get("/me/data").status_code == 200
    assert last_seen() == start
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.get("/me/data").status_code == 200
    assert last_seen() == start + timedelta(minutes=6)


class TestIdleSessions:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_IDLE_DAYS": 2}

    def test_an_idle_session_is_over_and_the_job_deletes_it(self, app, client, auth):
        start = clock.now()
        with time_machine.travel(start, tick=False):
            auth.login_as(Role.AMBASSADOR)
        with time_machine.travel(start + timedelta(days=1, hours=23), tick=False):
            assert client.get("/me/data").status_code == 200  # in use: the clock starts again
        later = start + timedelta(days=3, hours=22)
        with time_machine.travel(later, tick=False), app.app_context():
            jobs.prune_sessions()
        assert session_rows(app) == 1
        with time_machine.travel(later, tick=False):
            assert client.get("/me/data").status_code == 200

        idle = later + timedelta(days=2, minutes=1)
        with time_machine.travel(idle, tick=False):
            assert client.get("/me/data").status_code == 302
            with app.app_context():
                jobs.prune_sessions()
        assert session_rows(app) == 0
