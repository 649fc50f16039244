"""The team's chat webhooks: added by admins, their address kept secret, highlights queued for them.

**The address is a secret** (anyone holding it can post in the channel).
It is checked once, when an admin adds it: ``https://`` only (``http://``
only to a loopback address, and only where CHAT_WEBHOOK_HTTP_LOOPBACK says
so: tests and development), and never a private, loopback or link-local
address unless FEED_ALLOWED_NETWORKS lets feeds reach it too, the same
guard and the same opt-in as feeds (content_feeds/netguard.py), checked
again at each connection. It is then stored encrypted (Fernet, with a key
derived from SECRET_KEY by HKDF, for this use only) because it must be read
back to post, and shown only as a hint: its host and last 4 characters.
It is never logged, and it is in no personal-data export: a webhook belongs
to the program, and no row says which admin added it.

When SECRET_KEY changes, the stored addresses can no longer be read: the
webhook page says so and deliveries fail with that reason, until an admin
adds the webhook again (its address is not recoverable from Relais, by design).

**Highlights are queued, never posted, when they are saved**
(``queue_highlight``, called by services/contents.py in the transaction that
saves the content): one ``ChatDelivery`` per enabled webhook, due when the
content is published. services/chat_delivery.py posts them from a job.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from content_feeds import netguard
from content_feeds.errors import BlockedAddressError, DNSError
from content_feeds.netguard import IPNetwork

from ..db import changed_rows, insert_for
from ..models import ChatDelivery, ChatDeliveryStatus, ChatPlatform, ChatWebhook, Content
from .errors import ServiceError

KEY_INFO = b"relais/chat-webhooks/v1"  # a key for this use only, whatever else SECRET_KEY signs
MAX_NAME = 80
MAX_URL = 2048
MAX_WEBHOOKS = 20
HINT_TAIL = 4
LOOPBACK_NAMES = frozenset({"localhost"})


class ChatWebhookError(ServiceError):
    area = "chat_webhooks"


# --- the secret ------------------------------------------------------------------

def _fernet(secret_key: str | bytes) -> Fernet:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str | bytes, url: str) -> bytes:
    return _fernet(secret_key).encrypt(url.encode())


def unseal(secret_key: str | bytes, sealed: bytes) -> str | None:
    """The address, or None when it was sealed under another SECRET_KEY (it cannot be read)."""
    try:
        return _fernet(secret_key).decrypt(bytes(sealed)).decode()
    except InvalidToken:
        return None


def hint(url: str) -> str:
    """What pages show of an address: its host and its last 4 characters, "hooks.slack.com …Xy9z"."""
    host = urlsplit(url).hostname or ""
    return f"{host} …{url[-HINT_TAIL:]}"


# --- the address's rules ----------------------------------------------------------

@dataclass(frozen=True)
class AddressRules:
    allowed_networks: tuple[IPNetwork, ...] = ()  # FEED_ALLOWED_NETWORKS: the feeds' opt-in
    http_loopback: bool = False  # CHAT_WEBHOOK_HTTP_LOOPBACK: http:// to 127.0.0.1, ::1, localhost


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scheme_allowed(url: str, rules: AddressRules) -> bool:
    """https://, or http:// to a loopback address where the development setting allows it
    (checked again before each post: the setting may have been turned off since)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and rules.http_loopback and _is_loopback(parts.hostname or "")


def check_address(url: str, rules: AddressRules) -> str:
    """The address, stripped, if a webhook may use it; ChatWebhookError (field "url") saying why not."""
    url = (url or "").strip()
    if not url:
        raise ChatWebhookError("url_required", field="url")
    if len(url) > MAX_URL:
        raise ChatWebhookError("url_too_long", field="url", max=MAX_URL)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ChatWebhookError("not_a_url", field="url") from None
    if parts.scheme not in ("https", "http") or not host or any(ord(c) < 33 for c in url):
        raise ChatWebhookError("not_a_url", field="url")
    if parts.username is not None or parts.password is not None:
        raise ChatWebhookError("not_a_url", field="url")
    if not scheme_allowed(url, rules):
        raise ChatWebhookError("https_only", field="url")
    try:
        netguard.check_host(host, port or (443 if parts.scheme == "https" else 80), rules.allowed_networks)
    except DNSError:
        raise ChatWebhookError("host_not_found", field="url", host=host) from None
    except BlockedAddressError:
        raise ChatWebhookError("private_address", field="url") from None
    return url


# --- the admins' page ------------------------------------------------------------

def add_webhook(session: Session, *, platform: str, name: str, url: str, secret_key: str | bytes,
                rules: AddressRules, now: datetime) -> ChatWebhook:
    """Check everything, then store: a refusal stores nothing."""
    if platform not in ChatPlatform._value2member_map_:
        raise ChatWebhookError("unknown_platform", field="platform")
    name = (name or "").strip()
    if not name:
        raise ChatWebhookError("name_required", field="name")
    if len(name) > MAX_NAME:
        raise ChatWebhookError("name_too_long", field="name", max=MAX_NAME)
    clean = check_address(url, rules)
    if (session.scalar(select(func.count()).select_from(ChatWebhook)) or 0) >= MAX_WEBHOOKS:
        raise ChatWebhookError("too_many", max=MAX_WEBHOOKS)
    webhook = ChatWebhook(platform=ChatPlatform(platform), name=name, url_sealed=seal(secret_key, clean),
                          url_hint=hint(clean), enabled=True, created_at=now)
    session.add(webhook)
    session.flush()
    return webhook


def set_enabled(session: Session, webhook_id: int, enabled: bool) -> bool:
    """Switch a webhook on or off; off drops what it still had to post (switching back on
    does not post past highlights). False when there is no such webhook."""
    webhook = session.get(ChatWebhook, webhook_id)
    if webhook is None:
        return False
    webhook.enabled = enabled
    if not enabled:
        session.execute(delete(ChatDelivery).where(ChatDelivery.webhook_id == webhook_id,
                                                   ChatDelivery.status == ChatDeliveryStatus.PENDING))
    session.flush()
    return True


def delete_webhook(session: Session, webhook_id: int) -> bool:
    return changed_rows(session, delete(ChatWebhook).where(ChatWebhook.id == webhook_id)) > 0


@dataclass(frozen=True)
class WebhookState:
    """A webhook as its page shows it: never its address, and its latest trouble if any."""

    webhook: ChatWebhook
    readable: bool  # False: SECRET_KEY changed since it was added
    pending: int
    failing: ChatDelivery | None  # the latest delivery that failed or is being retried after an error


def states(session: Session, secret_key: str | bytes) -> list[WebhookState]:
    webhooks = list(session.scalars(select(ChatWebhook).order_by(ChatWebhook.created_at, ChatWebhook.id)))
    pending: dict[int, int] = {row.webhook_id: row.waiting for row in session.execute(
        select(ChatDelivery.webhook_id, func.count().label("waiting"))
        .where(ChatDelivery.status == ChatDeliveryStatus.PENDING).group_by(ChatDelivery.webhook_id))}
    troubled = session.scalars(
        select(ChatDelivery).where(ChatDelivery.last_error.is_not(None),
                                   ChatDelivery.status.in_([ChatDeliveryStatus.PENDING, ChatDeliveryStatus.FAILED]))
        .order_by(ChatDelivery.last_attempt_at.desc(), ChatDelivery.id.desc()))
    failing: dict[int, ChatDelivery] = {}
    for delivery in troubled:
        failing.setdefault(delivery.webhook_id, delivery)
    return [WebhookState(webhook, unseal(secret_key, webhook.url_sealed) is not None, pending.get(webhook.id, 0),
                         failing.get(webhook.id)) for webhook in webhooks]


def failing_count(session: Session) -> int:
    """Webhooks with a delivery that failed for good or is being retried after an error (admins' to-do)."""
    return session.scalar(
        select(func.count(func.distinct(ChatDelivery.webhook_id))).where(
            ChatDelivery.last_error.is_not(None),
            ChatDelivery.status.in_([ChatDeliveryStatus.PENDING, ChatDeliveryStatus.FAILED]))) or 0


# --- highlights, queued in the saving transaction -------------------------------

def is_announced_highlight(content: Content, now: datetime) -> bool:
    """A highlight that is, or is scheduled to be, visible to ambassadors."""
    return (content.highlighted and content.publish_at is not None and content.archived_at is None
            and (content.expires_at is None or content.expires_at > max(now, content.publish_at)))


def queue_highlight(session: Session, content: Content, now: datetime, *, was_announced: bool = False) -> None:
    """Queue (or re-time, or withdraw) the chat posts of this content, as it has just been saved.

    A highlight gets one delivery per enabled webhook, due when it is
    published; saved again with another publishing time, the deliveries not
    yet tried move with it. No longer a highlight (unticked, archived, back
    to draft) before it was posted: its waiting deliveries are withdrawn.
    A highlight is announced once per webhook (a unique key): saving it
    again after it was posted posts nothing. ``was_announced`` says whether
    it was already a highlight before this save: then a webhook added since
    gets it only if it is not published yet (fixing a typo in last week's
    highlight does not post it in a channel added today).
    """
    if not is_announced_highlight(content, now):
        session.execute(delete(ChatDelivery).where(ChatDelivery.content_id == content.id,
                                                   ChatDelivery.status == ChatDeliveryStatus.PENDING))
        return
    assert content.publish_at is not None
    due = max(content.publish_at, now)
    newly = not was_announced or content.publish_at > now
    webhook_ids = list(session.scalars(select(ChatWebhook.id).where(ChatWebhook.enabled.is_(True)))) if newly else []
    if webhook_ids:
        session.execute(
            insert_for(session)(ChatDelivery)
            .values([{"webhook_id": webhook_id, "content_id": content.id, "status": ChatDeliveryStatus.PENDING,
                      "attempts": 0, "next_attempt_at": due, "created_at": now} for webhook_id in webhook_ids])
            .on_conflict_do_nothing(index_elements=["webhook_id", "content_id"]))
    session.execute(update(ChatDelivery).where(
        ChatDelivery.content_id == content.id, ChatDelivery.status == ChatDeliveryStatus.PENDING,
        ChatDelivery.attempts == 0).values(next_attempt_at=due))
