"""Headers, cookies, CSRF and rate limits that every page relies on."""

import re

import pytest

from advocacy.models import Role


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/static/css/relais.css"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_no_inline_script_in_pages(client, auth):
    auth.login_as(Role.ADMIN)
    for path in ["/", "/admin/users"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html
        assert "<script src=" in html


def test_session_cookie_is_httponly_and_lax(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client):
    cookie = client.get("/login", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_refused_with_a_page(self, client, auth):
        user = auth.create_user(Role.AMBASSADOR)
        response = client.post("/login", data={"email": user.email, "password": "ambassador-password"})
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True) or "formulaire" in response.get_data(as_text=True)

    def test_post_with_token_from_the_page_works(self, client, auth):
        user = auth.create_user(Role.AMBASSADOR)
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = client.post("/login", data={"email": user.email, "password": "ambassador-password",
                                               "csrf_token": token})
        assert response.status_code == 302


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_attempts_are_limited(self, client, auth):
        auth.create_user(Role.AMBASSADOR)
        codes = [auth.login("ambassador@example.org", "wrong-password").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        # Reading the page stays possible; only attempts are counted.
        assert client.get("/login").status_code == 200

    def test_invitation_acceptance_is_limited(self, client):
        codes = [client.post("/invitation/guess-" + str(i)).status_code for i in range(4)]
        assert codes[-1] == 429


def test_state_changes_refuse_get(client, auth):
    auth.login_as(Role.ADMIN)
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/users/1/deactivate").status_code == 405


def test_permissions_policy_denies_what_no_page_uses(client):
    policy = client.get("/login").headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in policy
    # The share panel copies text and opens the system share sheet.
    assert "clipboard" not in policy and "web-share" not in policy


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"] == \
        "max-age=31536000"


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"PROXY_FIX": 1}

    def test_hsts_when_the_trusted_proxy_says_https(self, client):
        response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "max-age" in response.headers["Strict-Transport-Security"]
        assert "Strict-Transport-Security" not in client.get("/login").headers


def test_nothing_personal_is_stored_by_a_cache(client, auth):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")  # nobody's page
    auth.login_as(Role.AMBASSADOR)
    for path in ["/?page=2", "/me/data", "/me/data/export.json", "/me/consents", "/me/profile", "/no-such-page"]:
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    # The one exception, chosen: the feed's first page, which the installed app keeps to show
    # offline (static/js/service-worker.js; tests/test_webapp.py). No shared cache may keep it,
    # and the browser asks again before each use.
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
    # Our CSS and JavaScript are the same for everyone: cached as before.
    assert "no-store" not in client.get("/static/css/relais.css").headers.get("Cache-Control", "")


def test_staff_pages_and_exports_are_not_stored(client, auth):
    auth.login_as(Role.ADMIN)
    for path in ["/insights/", "/insights/export.csv", "/feeds/export.opml", "/admin/users"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path


def test_the_calendar_download_keeps_its_own_rule(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get("/calendar/export.ics").headers["Cache-Control"] == "private, no-store"
