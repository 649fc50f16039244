"""Sign-in through the organisation's OpenID Connect provider (the OIDC_* settings).

Single sign-on proves who someone is, nothing more. It never creates an
account (invitations stay the way in), never grants or withdraws a consent,
and never skips the charter or the first steps: the account it finds is
signed in exactly as a password would sign it in, and what that person has
not yet done is asked for as usual.

The flow is the authorization code flow with PKCE (S256), the provider
found by discovery. ``begin`` returns the provider's address and a
``Pending`` attempt (state, nonce, PKCE verifier) that the caller keeps in
the browser's signed session and hands back, once, to ``finish``: a second
use, another browser's callback or a late one is refused. ``finish``
exchanges the code and accepts the ID token only when its signature verifies
against the provider's published keys and its issuer, audience, expiry,
nonce and access-token hash are right; ``account_for`` then finds the
active account whose e-mail the provider says it has verified.

Nothing is stored on our side: no provider subject, no token. The e-mail is
the link between the two, which is why only a verified one counts.
"""

from __future__ import annotations

import base64
import functools
import hmac
import logging
import secrets
import ssl
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from ..models import User
from . import accounts
from .errors import ServiceError

log = logging.getLogger(__name__)

SCOPE = "openid email"
# Long enough to type a password and a second factor at the provider; a
# callback later than this is refused and the person simply starts again.
PENDING_MINUTES = 10
# Discovery and keys are read again after this, and the keys at once when a
# token names a key we do not have (the provider rotated its keys).
METADATA_TTL = timedelta(hours=1)
HTTP_TIMEOUT = 10.0
# Clocks of two servers differ a little; a minute is the usual allowance.
LEEWAY_SECONDS = 60


class SsoError(ServiceError):
    area = "sso"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    label: str

    @property
    def origin(self) -> str:
        """Scheme, host and port of the issuer: where the sign-in page's form leads on to."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Provider | None:
        """The configured provider, or None when single sign-on is off (OIDC_ISSUER unset)."""
        # Kept exactly as written: tokens must name this very string (some issuers end in "/").
        issuer = (config.get("OIDC_ISSUER") or "").strip()
        if not issuer:
            return None
        return cls(issuer=issuer, client_id=str(config.get("OIDC_CLIENT_ID") or ""),
                   client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
                   label=str(config.get("OIDC_LABEL") or "").strip())


def check_settings(config: Mapping[str, Any]) -> None:
    """At start: half a configuration fails loudly rather than on the first sign-in."""
    provider = Provider.from_config(config)
    if provider is None:
        return
    if not provider.issuer.startswith(("https://", "http://")):
        raise ValueError("OIDC_ISSUER must be an https:// (or, on a test network, http://) address "
                         f"(got {provider.issuer!r})")
    missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(name)]
    if missing:
        raise ValueError(f"OIDC_ISSUER is set but {' and '.join(missing)} is not")


@dataclass(frozen=True)
class Pending:
    """One sign-in attempt between its two legs, kept in the browser's signed session."""

    state: str
    nonce: str
    code_verifier: str
    expires_at: str  # ISO 8601, UTC: the session cookie holds JSON
    next_page: str | None = None
    remember: bool = False  # "keep me signed in on this device", ticked beside the button

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Pending | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str | None
    email_verified: bool


@dataclass
class _Cached:
    metadata: dict[str, Any]
    keys: dict[str, Any] | None
    fetched_at: datetime


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _get_json(http: httpx.Client, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = http.get(url, **kwargs)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("single sign-on: %s answered badly: %s", url, error)
        raise SsoError("unreachable") from error
    if not isinstance(data, dict):
        raise SsoError("unreachable")
    return data


def metadata(provider: Provider, http: httpx.Client, *, now: datetime) -> dict[str, Any]:
    """The provider's discovery document (cached for METADATA_TTL)."""
    with _cache_lock:
        cached = _cache.get(provider.issuer)
        if cached is not None and now - cached.fetched_at < METADATA_TTL:
            return cached.metadata
    found = _get_json(http, f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration")
    # The document must speak for the issuer we trust, not another (OpenID Connect Discovery §4.3).
    if found.get("issuer") != provider.issuer or not found.get("authorization_endpoint") \
            or not found.get("token_endpoint") or not found.get("jwks_uri"):
        log.warning("single sign-on: the discovery document of %s is not that issuer's", provider.issuer)
        raise SsoError("unreachable")
    with _cache_lock:
        _cache[provider.issuer] = _Cached(found, None, now)
    return found


def _keys(provider: Provider, http: httpx.Client, found: dict[str, Any], *, refresh: bool) -> KeySet:
    with _cache_lock:
        cached = _cache.get(provider.issuer)
        keys = cached.keys if cached is not None and not refresh else None
    if keys is None:
        keys = _get_json(http, found["jwks_uri"])
        with _cache_lock:
            if provider.issuer in _cache:
                _cache[provider.issuer].keys = keys
    try:
        return KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        log.warning("single sign-on: the keys of %s cannot be read: %s", provider.issuer, error)
        raise SsoError("unreachable") from error


def forget_metadata() -> None:
    """Drop what was read from providers (tests that restart one)."""
    with _cache_lock:
        _cache.clear()


def begin(provider: Provider, found: dict[str, Any], redirect_uri: str, *, now: datetime,
          next_page: str | None = None, remember: bool = False) -> tuple[str, Pending]:
    """The address to send the browser to, and the attempt to keep until it comes back."""
    pending = Pending(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                      code_verifier=secrets.token_urlsafe(64),
                      expires_at=(now + timedelta(minutes=PENDING_MINUTES)).isoformat(), next_page=next_page,
                      remember=remember)
    query = urlencode({
        "response_type": "code", "client_id": provider.client_id, "redirect_uri": redirect_uri,
        "scope": SCOPE, "state": pending.state, "nonce": pending.nonce,
        "code_challenge": create_s256_code_challenge(pending.code_verifier), "code_challenge_method": "S256",
    })
    endpoint = found["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", pending


def finish(provider: Provider, http: httpx.Client, pending: Pending | None, answer: Mapping[str, str],
           redirect_uri: str, *, now: datetime) -> Identity:
    """Who the provider says came back, after every check; SsoError otherwise.

    ``answer``: the query of the callback. ``pending``: the attempt this browser
    started (None when it has none: a repeated or forged callback).
    """
    if pending is None:
        raise SsoError("no_attempt")
    if not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise SsoError("bad_state")
    if answer.get("error"):
        # The person said no at the provider, or the provider refused the request.
        raise SsoError("denied" if answer["error"] == "access_denied" else "provider_error")
    if now > datetime.fromisoformat(pending.expires_at):
        raise SsoError("expired")
    # RFC 9207: an "iss" in the answer must be our provider's (a mix-up attack sends another's).
    if "iss" in answer and answer["iss"] != provider.issuer:
        raise SsoError("bad_state")
    if not answer.get("code"):
        raise SsoError("provider_error")
    found = metadata(provider, http, now=now)
    tokens = _exchange(provider, http, found, answer["code"], pending.code_verifier, redirect_uri)
    claims = check_id_token(provider, http, found, tokens, nonce=pending.nonce, now=now)
    if "email" not in claims and found.get("userinfo_endpoint"):
        claims = {**_userinfo(http, found, tokens, subject=claims["sub"]), "sub": claims["sub"]}
    email = claims.get("email")
    return Identity(subject=str(claims["sub"]), email=email if isinstance(email, str) else None,
                    email_verified=claims.get("email_verified") is True)


def _client_auth(provider: Provider, found: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form fields that authenticate us at the token endpoint."""
    methods = found.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" not in methods and "client_secret_post" in methods:
        return {}, {"client_id": provider.client_id, "client_secret": provider.client_secret}
    # RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
    pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}, {}


def _exchange(provider: Provider, http: httpx.Client, found: dict[str, Any], code: str, code_verifier: str,
              redirect_uri: str) -> dict[str, Any]:
    headers, fields = _client_auth(provider, found)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": code_verifier, **fields}
    try:
        response = http.post(found["token_endpoint"], data=form, headers={**headers, "Accept": "application/json"})
        tokens = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("single sign-on: the token endpoint of %s answered badly: %s", provider.issuer, error)
        raise SsoError("unreachable") from error
    if response.status_code != 200 or not isinstance(tokens, dict) or not tokens.get("id_token"):
        error_code = tokens.get("error") if isinstance(tokens, dict) else None
        log.warning("single sign-on: %s refused the code (%s %s)", provider.issuer, response.status_code, error_code)
        raise SsoError("token_refused")
    return tokens


def check_id_token(provider: Provider, http: httpx.Client, found: dict[str, Any], tokens: dict[str, Any], *,
                   nonce: str, now: datetime) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times, nonce and at_hash hold."""
    algorithms = found.get("id_token_signing_alg_values_supported") or ["RS256"]
    # A signature with no key ("none") or with our own secret is not the provider's word.
    algorithms = [name for name in algorithms if name != "none" and not name.startswith("HS")]
    try:
        try:
            token = jwt.decode(tokens["id_token"], _keys(provider, http, found, refresh=False), algorithms=algorithms)
        except InvalidKeyIdError:
            token = jwt.decode(tokens["id_token"], _keys(provider, http, found, refresh=True), algorithms=algorithms)
        claims = CodeIDToken(
            token.claims, token.header,
            options={"iss": {"essential": True, "value": provider.issuer},
                     "aud": {"essential": True, "value": provider.client_id}},
            params={"nonce": nonce, "client_id": provider.client_id, "access_token": tokens.get("access_token")},
        )
        claims.validate(now=int(now.timestamp()), leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError) as error:
        log.warning("single sign-on: an ID token from %s was refused: %s", provider.issuer, error)
        raise SsoError("bad_token") from error
    return dict(claims)


def _userinfo(http: httpx.Client, found: dict[str, Any], tokens: dict[str, Any], *, subject: str) -> dict[str, Any]:
    """The provider's UserInfo, which must describe the same subject as the ID token (OIDC Core §5.3.2)."""
    info = _get_json(http, found["userinfo_endpoint"],
                     headers={"Authorization": f"Bearer {tokens.get('access_token', '')}"})
    if info.get("sub") != subject:
        log.warning("single sign-on: UserInfo describes another subject than the ID token")
        raise SsoError("bad_token")
    return info


def account_for(session: Session, identity: Identity) -> User:
    """The active account this identity signs in; SsoError when there is none to sign in."""
    if not identity.email or not identity.email_verified:
        raise SsoError("email_unverified")
    user = accounts.find_by_email(session, identity.email)
    if user is None:
        raise SsoError("unknown_account")
    if not user.active:
        raise SsoError("inactive")
    return user


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying context per process, shared by every sign-in (it is thread-safe):
    loading the CA certificates costs more than a call to the provider (benchmarks/sso.py)."""
    return httpx.create_ssl_context()


def http_client() -> httpx.Client:
    """The client the flow uses: a short deadline, no redirects (every endpoint is named by discovery)."""
    return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False, verify=_tls())
