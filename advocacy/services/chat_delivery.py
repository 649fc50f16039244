"""Posting to the team's chat: the guarded POST, and the deliveries' retries with back-off.

Each due delivery is claimed first, in a commit of its own (an UPDATE that
counts the attempt and moves its next try ``CLAIM`` ahead, only if it is
still due), so two runs never post it both; the POST is made with no
transaction open; the outcome is written in a second commit. Sent: done.
Refused or unreachable: tried again after 1, 2, 4, … minutes
(``backoff``), and given up after ``MAX_ATTEMPTS``, the delivery then marked
failed for the admins to see. A run that dies between the claim and the
outcome leaves the delivery to be tried again once ``CLAIM`` has passed:
a chat message may then, rarely, be posted twice; it is never lost.

The POST goes through content_feeds' guarded transport: the address each
connection really reaches is checked against the private-address rule (and
FEED_ALLOWED_NETWORKS), whatever the name resolved to when it was added.
No redirect is followed. httpx's client is not used, because it logs each
request's address, and a webhook's address is a secret: nothing here logs it.
"""

from __future__ import annotations

import functools
import json
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpcore
import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from content_feeds.errors import BlockedAddressError, DNSError
from content_feeds.netguard import Deadline, GuardedBackend, GuardedTransport, IPNetwork

from ..db import changed_rows
from ..models import ChatDelivery, ChatDeliveryStatus, ChatWebhook

MAX_ATTEMPTS = 8  # the last one about two hours after the first (1 + 2 + … + 64 minutes)
FIRST_RETRY = timedelta(minutes=1)
CLAIM = timedelta(minutes=5)  # longer than a POST may take (TIMEOUT_SECONDS)
TIMEOUT_SECONDS = 10.0
BATCH = 50
USER_AGENT = "Relais/0.1 (chat webhook)"


def backoff(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed try a delivery is tried again: 1, 2, 4, … minutes."""
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


@dataclass(frozen=True)
class PostOutcome:
    ok: bool
    error: str | None = None  # a code of messages.py's "chat_webhooks" area
    detail: str | None = None  # its parameter (an HTTP status, a host), never the address


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def post(url: str, payload: dict[str, Any], allowed: tuple[IPNetwork, ...],
         timeout: float = TIMEOUT_SECONDS) -> PostOutcome:
    """POST ``payload`` as JSON to ``url``; what happened, never raising for the network's sake."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = httpx.Request("POST", url, content=body, headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, "Accept": "*/*"},
        extensions={"timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}})
    transport = GuardedTransport(GuardedBackend(allowed, Deadline(timeout)), _ssl_context())
    host = request.url.host
    try:
        response = transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
    except BlockedAddressError:
        return PostOutcome(False, "private_address")
    except DNSError:
        return PostOutcome(False, "host_not_found", host)
    except (httpcore.TimeoutException, httpx.TimeoutException):
        return PostOutcome(False, "timeout", f"{timeout:g}")
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
            httpx.TransportError, ssl.SSLError, OSError):
        return PostOutcome(False, "unreachable", host)
    finally:
        transport.close()
    if 200 <= response.status_code < 300:
        return PostOutcome(True)
    return PostOutcome(False, "http_status", str(response.status_code))


# --- the queue ---------------------------------------------------------------------

def due_ids(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Deliveries to try now, of enabled webhooks, the longest waiting first."""
    return list(session.scalars(
        select(ChatDelivery.id).join(ChatWebhook, ChatWebhook.id == ChatDelivery.webhook_id)
        .where(ChatDelivery.status == ChatDeliveryStatus.PENDING, ChatDelivery.next_attempt_at <= now,
               ChatWebhook.enabled.is_(True))
        .order_by(ChatDelivery.next_attempt_at, ChatDelivery.id).limit(limit)))


def claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Count an attempt and hold the delivery for ``CLAIM``; False when another run took it first."""
    return changed_rows(session, update(ChatDelivery).where(
        ChatDelivery.id == delivery_id, ChatDelivery.status == ChatDeliveryStatus.PENDING,
        ChatDelivery.next_attempt_at <= now,
    ).values(attempts=ChatDelivery.attempts + 1, next_attempt_at=now + CLAIM, last_attempt_at=now)) == 1


def record(session: Session, delivery: ChatDelivery, outcome: PostOutcome, now: datetime,
           *, final: bool = False) -> None:
    """Write a claimed delivery's outcome; ``final`` gives up at once (an address that cannot be read)."""
    delivery.last_attempt_at = now
    if outcome.ok:
        delivery.status = ChatDeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = delivery.last_error_detail = None
    else:
        delivery.last_error, delivery.last_error_detail = outcome.error, outcome.detail
        if final or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = ChatDeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    session.flush()


def cancel(session: Session, delivery: ChatDelivery) -> None:
    """The content is no longer a published highlight: nothing to announce."""
    delivery.status = ChatDeliveryStatus.CANCELLED
    session.flush()
