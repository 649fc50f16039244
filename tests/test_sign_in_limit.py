"""The per-account sign-in limit: guesses spread over many addresses, and no lock-out of the person."""

from datetime import timedelta

import pytest
import time_machine

from advocacy.models import Role
from advocacy.services import clock
from advocacy.sign_in_limit import KNOWN_DEVICE_COOKIE


@pytest.fixture
def app_config():
    # The per-address limit as in production; the account limit small to keep the test short.
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
            "LOGIN_ACCOUNT_RATE_LIMIT": "3 per 15 minutes"}


def attempt(client, email, password="wrong-password", address="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_guesses_from_many_addresses_hit_the_account_limit(app, auth):
    auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    auth.create_user(Role.AMBASSADOR, email="dominique@example.org")
    botnet = app.test_client()
    start = clock.now()
    with time_machine.travel(start, tick=False):
        codes = [attempt(botnet, "camille@example.org", address=f"10.0.0.{n}") for n in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        # The same account typed differently is the same account.
        assert attempt(botnet, "  Camille@EXAMPLE.org", address="10.0.1.1") == 429
        # Even the right password, from a browser never signed in there: the limit says nothing either way.
        assert attempt(app.test_client(), "camille@example.org", "ambassador-password", "10.0.1.2") == 429
        # Other accounts are not affected.
        assert attempt(botnet, "dominique@example.org", address="10.0.0.9") == 200
        assert attempt(app.test_client(), "dominique@example.org", "ambassador-password", "10.0.1.3") == 302
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(app.test_client(), "camille@example.org", "ambassador-password", "10.0.1.4") == 302


def test_an_address_with_no_account_is_limited_alike(app):
    """A refusal reveals nothing: an unknown address is counted the same way."""
    botnet = app.test_client()
    codes = [attempt(botnet, "nobody@example.org", address=f"10.0.0.{n}") for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_successful_sign_ins_do_not_count(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    for n in range(5):
        browser = app.test_client()
        assert attempt(browser, user.email, "ambassador-password", f"10.0.2.{n}") == 302


def test_the_persons_own_browser_is_not_locked_out_by_others(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    assert attempt(client, user.email, "ambassador-password", "192.0.2.7") == 302
    assert client.get_cookie(KNOWN_DEVICE_COOKIE, path="/login") is not None
    auth.logout()

    botnet = app.test_client()
    assert [attempt(botnet, user.email, address=f"10.0.0.{n}") for n in range(4)][-1] == 429
    # Her usual browser still gets in (its per-address limit still applies).
    assert attempt(client, user.email, "ambassador-password", "192.0.2.7") == 302
    auth.logout()
    # Its mark is for her account only: another account typed there is limited as usual.
    other = auth.create_user(Role.AMBASSADOR, email="dominique@example.org")
    assert [attempt(botnet, other.email, address=f"10.0.3.{n}") for n in range(4)][-1] == 429
    assert attempt(client, other.email, "ambassador-password", "192.0.2.7") == 429


def test_a_forged_known_device_mark_is_ignored(app, auth):
    user = auth.create_user(Role.AMBASSADOR)
    botnet = app.test_client()
    botnet.set_cookie(KNOWN_DEVICE_COOKIE, "forged", path="/login")
    codes = [attempt(botnet, user.email, address=f"10.0.0.{n}") for n in range(4)]
    assert codes[-1] == 429


def test_erasure_takes_the_known_browser_mark_away(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email="camille@example.org")
    assert attempt(client, user.email, "ambassador-password", "192.0.2.7") == 302
    assert client.get_cookie(KNOWN_DEVICE_COOKIE, path="/login") is not None
    response = client.post("/me/data/erase", data={"password": "ambassador-password", "confirm": "y"})
    assert response.status_code == 302
    assert client.get_cookie(KNOWN_DEVICE_COOKIE, path="/login") is None
