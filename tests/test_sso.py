"""Single sign-on against a real, certified OpenID Connect provider (tests/oidc_provider.py).

SSO proves who someone is and nothing more: it signs in an existing active
account whose e-mail the provider has verified, never creates one, never
grants a consent, and every broken answer is refused with a clear page,
signing nobody in.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import ConsentRecord, Purpose, Role, User, UserSession
from advocacy.services import accounts, clock, consent, sso
from browser import live_server, needs
from oidc_provider import REDIRECT_URI, start_provider, walk_provider

ADA = "ada@example.org"  # invited, verified at the provider
BOB = "bob@example.org"  # has an account, but the provider has not verified his address
NEWCOMER = "newcomer@example.org"  # verified at the provider, no account here
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    yield from start_provider({ADA: True, BOB: False, NEWCOMER: True}, log)


@pytest.fixture
def app_config(provider):
    return provider.settings(OIDC_LABEL="Example ID")


@pytest.fixture(autouse=True)
def _fresh_metadata():
    sso.forget_metadata()


def start(client, **query):
    response = client.get("/login/sso", query_string=query, headers=ENGLISH)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(client, login, **query):
    """The whole round trip: our start, the provider's pages, our callback."""
    return client.get(walk_provider(start(client, **query), login), headers=ENGLISH)


def count(app, model, *where) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_an_invited_verified_person_signs_in(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email=ADA)
    login_page = page(client.get("/login", headers=ENGLISH))
    assert "Sign in with Example ID" in login_page
    assert 'name="password"' in login_page  # passwords stay

    address = start(client, next="/me/data")
    query = parse_qs(urlsplit(address).query)
    assert address.startswith(app.config["OIDC_ISSUER"])
    assert query["code_challenge_method"] == ["S256"] and query["redirect_uri"] == [REDIRECT_URI]
    assert "code_verifier" not in query  # only its hash leaves

    response = client.get(walk_provider(address, ADA))
    assert response.status_code == 302 and response.headers["Location"] == "/me/data"
    assert client.get("/me/data").status_code == 200
    assert count(app, UserSession, UserSession.user_id == user.id) == 1
    assert client.get_cookie("relais_known_device", path="/login") is not None  # as after a password
    # A browser session, not kept after closing: "keep me signed in" was not ticked.
    assert client.get_cookie("session").expires is None


def test_keep_me_signed_in_makes_the_session_persistent(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email=ADA)
    assert sign_in(client, ADA, remember="y").status_code == 302
    assert client.get_cookie("session").expires is not None  # kept after the browser closes
    with app.app_context():
        [row] = get_session().scalars(select(UserSession).where(UserSession.user_id == user.id))
        assert row.persistent


def test_sso_grants_no_consent_and_skips_no_step(app, client, auth):
    # Invited and signed up, but the charter (the membership consent) is not accepted yet.
    user = auth.create_user(Role.AMBASSADOR, email=ADA, member=False)
    assert sign_in(client, ADA).status_code == 302
    assert count(app, ConsentRecord, ConsentRecord.user_id == user.id) == 0
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/me/charter"


def test_sso_leaves_consents_as_they_were(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email=ADA)
    with app.app_context():
        session = get_session()
        consent.grant(session, session.get(User, user.id), consent.current_text(session, Purpose.DIGEST, "fr"))
        session.commit()
        before = consent.in_force(session, user.id)
    records = count(app, ConsentRecord, ConsentRecord.user_id == user.id)
    assert sign_in(client, ADA).status_code == 302
    assert count(app, ConsentRecord, ConsentRecord.user_id == user.id) == records
    with app.app_context():
        assert consent.in_force(get_session(), user.id) == before == {Purpose.MEMBERSHIP, Purpose.DIGEST}


def test_a_newcomer_midway_resumes_their_first_steps(client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA, onboarded=False)
    assert sign_in(client, ADA).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and "/welcome/" in home.headers["Location"]


def test_staff_sign_in_too(client, auth):
    auth.create_user(Role.CURATOR, email=ADA)
    assert sign_in(client, ADA).status_code == 302
    assert client.get("/curation/queue").status_code == 200


def test_an_unverified_email_is_refused(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email=BOB)
    response = sign_in(client, BOB)
    assert response.status_code == 403
    assert "does not confirm that your e-mail address is verified" in page(response)
    assert count(app, UserSession, UserSession.user_id == user.id) == 0
    assert client.get("/me/data").status_code == 302  # still signed out


def test_an_unknown_email_is_refused_and_no_account_is_made(app, client, auth):
    auth.create_user(Role.ADMIN, email="admin@example.org")
    response = sign_in(client, NEWCOMER)
    assert response.status_code == 403
    assert "ambassadors join by invitation" in page(response)
    assert count(app, User) == 1
    assert count(app, UserSession) == 0


def test_a_deactivated_account_is_refused(app, client, auth):
    user = auth.create_user(Role.AMBASSADOR, email=ADA)
    with app.app_context():
        get_session().get(User, user.id).active = False
        get_session().commit()
    response = sign_in(client, ADA)
    assert response.status_code == 403 and "deactivated" in page(response)
    assert count(app, UserSession) == 0


def test_cancelling_at_the_provider_is_a_clear_refusal(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA)
    back = walk_provider(start(client), ADA, consent=False)
    assert parse_qs(urlsplit(back).query)["error"] == ["access_denied"]
    response = client.get(back, headers=ENGLISH)
    assert response.status_code == 403 and "cancelled" in page(response)
    assert count(app, UserSession) == 0


def test_a_tampered_state_is_refused(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA)
    back = walk_provider(start(client), ADA)
    query = {key: values[0] for key, values in parse_qs(urlsplit(back).query).items()}
    response = client.get("/login/sso/callback?" + urlencode({**query, "state": query["state"][:-2] + "xx"}),
                          headers=ENGLISH)
    assert response.status_code == 400 and "does not match" in page(response)
    assert count(app, UserSession) == 0
    # The attempt is spent: the genuine answer, replayed after, is refused too.
    replay = client.get(back, headers=ENGLISH)
    assert replay.status_code == 400 and "not known here" in page(replay)
    assert count(app, UserSession) == 0


def test_an_answer_works_once_and_in_its_own_browser_only(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA)
    back = walk_provider(start(client), ADA)
    # Another browser (a stolen or leaked callback address) has no attempt to match.
    other = app.test_client()
    assert other.get(back, headers=ENGLISH).status_code == 400
    assert client.get(back).status_code == 302
    client.post("/logout")
    again = client.get(back, headers=ENGLISH)
    assert again.status_code == 400 and "not known here" in page(again)
    assert count(app, UserSession) == 0


def test_a_late_answer_is_refused(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA)
    address = start(client)
    with client.session_transaction() as browser:
        pending = dict(browser["sso_pending"])
        pending["expires_at"] = (clock.now() - timedelta(seconds=1)).isoformat()
        browser["sso_pending"] = pending
    response = client.get(walk_provider(address, ADA), headers=ENGLISH)
    assert response.status_code == 400 and "expired" in page(response)
    assert count(app, UserSession) == 0


def test_an_id_token_for_another_nonce_is_refused(app, client, auth):
    auth.create_user(Role.AMBASSADOR, email=ADA)
    address = start(client)
    with client.session_transaction() as browser:
        browser["sso_pending"] = {**browser["sso_pending"], "nonce": "not-the-nonce-sent"}
    response = client.get(walk_provider(address, ADA), headers=ENGLISH)
    assert response.status_code == 400 and "could not be verified" in page(response)
    assert count(app, UserSession) == 0


def _real_tokens(app, provider) -> tuple[dict, dict, str]:
    """A genuine code exchanged by hand: the provider's tokens, its metadata and the nonce."""
    settings = sso.Provider.from_config(app.config)
    with sso.http_client() as http:
        found = sso.metadata(settings, http, now=clock.now())
    address, pending = sso.begin(settings, found, REDIRECT_URI, now=clock.now())
    back = parse_qs(urlsplit(walk_provider(address, ADA)).query)
    tokens = httpx.post(found["token_endpoint"], auth=(provider.client_id, provider.client_secret), data={
        "grant_type": "authorization_code", "code": back["code"][0], "redirect_uri": REDIRECT_URI,
        "code_verifier": pending.code_verifier}).json()
    return tokens, found, pending.nonce


def _check(app, tokens, found, nonce, *, client_id=None, now=None):
    settings = sso.Provider.from_config(app.config)
    if client_id:
        settings = sso.Provider(settings.issuer, client_id, settings.client_secret, settings.label)
    with sso.http_client() as http:
        return sso.check_id_token(settings, http, found, tokens, nonce=nonce, now=now or clock.now())


def test_the_id_token_is_checked(app, provider):
    with app.app_context():
        tokens, found, nonce = _real_tokens(app, provider)
        assert _check(app, tokens, found, nonce)["sub"] == ADA  # the genuine token passes

        with pytest.raises(sso.SsoError, match="bad_token"):  # meant for another client
            _check(app, tokens, found, nonce, client_id="another-client")
        with pytest.raises(sso.SsoError, match="bad_token"):  # another attempt's nonce
            _check(app, tokens, found, "another-nonce")
        with pytest.raises(sso.SsoError, match="bad_token"):  # expired (the provider's default: an hour)
            _check(app, tokens, found, nonce, now=clock.now() + timedelta(hours=2))

        header, payload, signature = tokens["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "someone-else"}).encode()).rstrip(b"=")
        with pytest.raises(sso.SsoError, match="bad_token"):  # the payload changed, the signature not
            _check(app, {**tokens, "id_token": f"{header}.{forged.decode()}.{signature}"}, found, nonce)
        unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        with pytest.raises(sso.SsoError, match="bad_token"):  # no signature at all
            _check(app, {**tokens, "id_token": f"{unsigned}.{payload}."}, found, nonce)


def test_the_service_matches_only_verified_emails_of_active_accounts(app, auth):
    user = auth.create_user(Role.AMBASSADOR, email=ADA)
    with app.app_context():
        session = get_session()
        assert sso.account_for(session, sso.Identity("s", "Ada@Example.org", True)).id == user.id
        for identity, code in ((sso.Identity("s", ADA, False), "email_unverified"),
                               (sso.Identity("s", None, True), "email_unverified"),
                               (sso.Identity("s", NEWCOMER, True), "unknown_account")):
            with pytest.raises(sso.SsoError, match=code):
                sso.account_for(session, identity)
        assert accounts.find_by_email(session, NEWCOMER) is None


@pytest.mark.parametrize("app_config", [{}], indirect=False)
def test_sso_is_off_when_not_configured(client):
    assert "Sign in with" not in page(client.get("/login", headers=ENGLISH))
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_half_a_configuration_fails_at_start(build_app, database_url, provider):
    with pytest.raises(ValueError, match="OIDC_CLIENT_SECRET"):
        build_app(database_url, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID="relais")


def test_an_unreachable_provider_is_a_clear_page(build_app, database_url):
    app = build_app(database_url, **{"OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "relais",
                                     "OIDC_CLIENT_SECRET": "secret"})
    response = app.test_client().get("/login/sso", headers=ENGLISH)
    assert response.status_code == 502 and "cannot be reached" in page(response)


@needs()
def test_in_a_browser_the_button_leads_through_the_provider_and_back(build_app, database_url, provider, desktop):
    """The sign-in page's policy lets its form lead on to the provider (browsers apply
    form-action to the redirect too), and the whole round trip signs in, CSRF on."""
    # The callback address registered at the provider is http://localhost/…: BASE_URL says so.
    app = build_app(database_url, **provider.settings(OIDC_LABEL="Example ID", BASE_URL="http://localhost",
                                                      WTF_CSRF_ENABLED=True))
    with app.app_context():
        accounts.create_user(get_session(), email=ADA, name="Ada", password="a-long-password", role=Role.CURATOR)
        get_session().commit()
    page = desktop.new_page()
    # Nothing listens on localhost:80: note where the provider sends the browser back.
    page.route("http://localhost/**", lambda route: route.fulfill(status=200, body="back"))
    with live_server(app) as base:
        page.goto(base + "/login")
        page.get_by_role("button", name="Sign in with Example ID").click()
        page.wait_for_url(provider.issuer + "/**")
        page.fill("input[name=login]", ADA)
        page.fill("input[name=password]", "any")
        page.click("button[type=submit]")
        page.wait_for_selector("input[name=prompt][value=consent]", state="attached")
        page.click("button[type=submit]")
        page.wait_for_url("http://localhost/login/sso/callback?**")
        page.goto(base + "/login/sso/callback?" + urlsplit(page.url).query)
        assert page.url == base + "/"
        assert page.get_by_role("button", name="Sign out").count() >= 1
    assert count(app, UserSession) == 1


def test_another_refusal_of_the_provider_is_a_clear_page(app, client):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get("/login/sso/callback", query_string={"error": "server_error", "state": state},
                          headers=ENGLISH)
    assert response.status_code == 400 and "refused the request" in page(response)
    assert count(app, UserSession) == 0


def test_a_discovery_document_of_another_issuer_is_refused(build_app, database_url, provider):
    # The provider's issuer has no trailing "/": written with one, it is another issuer.
    app = build_app(database_url, **provider.settings(OIDC_ISSUER=provider.issuer + "/"))
    response = app.test_client().get("/login/sso", headers=ENGLISH)
    assert response.status_code == 502 and "cannot be reached" in page(response)


def test_the_callback_is_limited_per_address(build_app, database_url, provider):
    app = build_app(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", **provider.settings())
    client = app.test_client()
    answers = [client.get("/login/sso/callback?code=guess&state=guess").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_an_issuer_that_is_no_address_fails_at_start(build_app, database_url):
    with pytest.raises(ValueError, match="OIDC_ISSUER must be an https://"):
        build_app(database_url, OIDC_ISSUER="login.example.org", OIDC_CLIENT_ID="relais", OIDC_CLIENT_SECRET="s")
