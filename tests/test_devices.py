"""Keep me signed in on this device, the list of signed-in devices, and signing devices out."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import Role, User, UserSession
from advocacy.services import accounts, clock
from advocacy.services.devices import device_label

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
EDGE_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")


def sign_in(client, user, *, remember=False, agent=FIREFOX_ANDROID):
    data = {"email": user.email, "password": "ambassador-password"}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, headers={"User-Agent": agent})
    assert response.status_code == 302
    return response


def session_cookie_header(app, response) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def rows(app, user_id):
    with app.app_context():
        return get_session().scalars(select(UserSession).where(UserSession.user_id == user_id)
                                     .order_by(UserSession.id)).all()


def row_count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(UserSession))


@pytest.mark.parametrize(("agent", "label"), [
    (FIREFOX_ANDROID, "Firefox · Android"),
    (SAFARI_IPHONE, "Safari · iOS"),
    (EDGE_WINDOWS, "Edge · Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox · Linux"),
    ("curl/8.5.0", ""),
    (None, ""),
])
def test_the_device_label_names_browser_and_system_only(agent, label):
    assert device_label(agent) == label


def test_without_keep_me_signed_in_the_cookie_ends_with_the_browser(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    header = session_cookie_header(app, sign_in(client, user))
    assert "Expires=" not in header and "Max-Age" not in header
    [row] = rows(app, user.id)
    assert row.persistent is False and row.device == "Firefox · Android"


def test_keep_me_signed_in_sets_a_lasting_cookie_renewed_at_each_visit(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        header = session_cookie_header(app, sign_in(client, user, remember=True))
    assert "Expires=" in header
    [row] = rows(app, user.id)
    assert row.persistent is True
    with time_machine.travel(start + timedelta(days=10), tick=False):
        renewed = session_cookie_header(app, client.get("/me/data"))
    assert "Expires=" in renewed and renewed != header


def test_the_login_form_offers_it_unticked(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="remember"' in html and "checked" not in html


class TestLifetimes:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_IDLE_DAYS": 2, "REMEMBER_DAYS": 20}

    def test_a_kept_session_outlasts_the_idle_limit_then_ends_after_remember_days(self, app, auth):
        user = auth.create_user(Role.AMBASSADOR)
        kept, plain = app.test_client(), app.test_client()
        start = clock.now()
        with time_machine.travel(start, tick=False):
            sign_in(kept, user, remember=True)
            sign_in(plain, user)
        with time_machine.travel(start + timedelta(days=5), tick=False):
            assert kept.get("/me/data").status_code == 200
            assert plain.get("/me/data").status_code == 302
            with app.app_context():
                jobs.prune_sessions()
        assert [row.persistent for row in rows(app, user.id)] == [True]
        unused = start + timedelta(days=5 + 20, minutes=1)  # 20 days after its last use
        with time_machine.travel(unused, tick=False):
            assert kept.get("/me/data").status_code == 302
            with app.app_context():
                jobs.prune_sessions()
        assert row_count(app) == 0


def test_the_devices_page_lists_each_session_and_marks_this_one(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    sign_in(client, user, agent=EDGE_WINDOWS)
    sign_in(app.test_client(), user, remember=True, agent=SAFARI_IPHONE)
    auth.create_user(Role.CURATOR)
    sign_in(app.test_client(), auth.create_user(Role.AMBASSADOR, email="other@example.org"), agent=FIREFOX_ANDROID)
    html = client.get("/me/devices/").get_data(as_text=True)
    assert "Edge · Windows" in html and "Safari · iOS" in html
    assert "Firefox · Android" not in html  # someone else's
    assert html.count('aria-current="true"') == 1
    assert "/me/devices/" in client.get("/me/profile").get_data(as_text=True)  # among the ambassador's pages


def test_staff_reach_their_devices_from_my_data(app, client, auth):
    auth.login_as(Role.CURATOR)
    assert client.get("/me/devices/").status_code == 200
    assert "/me/devices/" in client.get("/me/data").get_data(as_text=True)


def test_signing_out_another_device_ends_that_session_only(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    sign_in(client, user)
    phone = app.test_client()
    sign_in(phone, user, remember=True, agent=SAFARI_IPHONE)
    phone_row = rows(app, user.id)[1]
    response = client.post(f"/me/devices/{phone_row.id}/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/me/devices/"
    assert phone.get("/me/data").status_code == 302
    assert client.get("/me/data").status_code == 200
    assert client.post(f"/me/devices/{phone_row.id}/sign-out").status_code == 404  # gone already


def test_signing_out_this_device_from_the_list_signs_out_here(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    sign_in(client, user)
    [row] = rows(app, user.id)
    response = client.post(f"/me/devices/{row.id}/sign-out")
    assert response.headers["Location"] == "/login" and "Clear-Site-Data" in response.headers
    assert client.get("/me/data").status_code == 302


def test_a_guessed_id_of_someone_elses_session_is_404_and_ends_nothing(app, client, auth):
    victim = auth.create_user(Role.AMBASSADOR, email="victim@example.org")
    victim_browser = app.test_client()
    sign_in(victim_browser, victim, remember=True)
    [victim_row] = rows(app, victim.id)
    auth.login_as(Role.ADMIN)  # even an admin ends only their own sessions here
    assert client.post(f"/me/devices/{victim_row.id}/sign-out").status_code == 404
    assert client.post("/me/devices/999999/sign-out").status_code == 404
    assert len(rows(app, victim.id)) == 1
    assert victim_browser.get("/me/data").status_code == 200


def test_sign_out_everywhere_ends_every_session_this_one_included(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR)
    sign_in(client, user)
    laptop = app.test_client()
    sign_in(laptop, user, remember=True)
    bystander = app.test_client()
    sign_in(bystander, auth.create_user(Role.AMBASSADOR, email="bystander@example.org"))
    response = client.post("/me/devices/sign-out-everywhere")
    assert response.headers["Location"] == "/login" and "Clear-Site-Data" in response.headers
    assert rows(app, user.id) == []
    assert client.get("/me/data").status_code == 302 and laptop.get("/me/data").status_code == 302
    assert bystander.get("/me/data").status_code == 200


def test_the_devices_page_needs_a_signed_in_person(client):
    assert client.get("/me/devices/").status_code == 302
    assert client.post("/me/devices/sign-out-everywhere").status_code == 302


def test_deactivation_ends_kept_sessions_too(app, client, auth):
    admin = auth.create_user(Role.ADMIN)
    user = auth.create_user(Role.AMBASSADOR)
    sign_in(client, user, remember=True)
    with app.app_context():
        db = get_session()
        accounts.set_active(db, db.get(User, user.id), False, acting=db.get(User, admin.id))
        db.commit()
    assert rows(app, user.id) == []
    assert client.get("/me/data").status_code == 302
