"""The team's chat, in the app: messages worded in the program's language, posted by the job or the test button.

services/chat_delivery.py holds the rules (claim, post, back-off); this
module adds what only the app knows: the configuration, the share panel's
public address (``BASE_URL``: the job has no request) and the words, in the
program's default language (the first of ``LANGUAGES``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from . import feed_settings
from .db import get_session
from .models import ChatDelivery, ChatDeliveryStatus, ChatWebhook, Content
from .services import chat_delivery, chat_webhooks, clock, contents
from .services.chat_payloads import ChatMessage, payload
from .urls import NoBaseURL, external_url

log = logging.getLogger(__name__)


def program_language() -> str:
    return str(current_app.config["LANGUAGES"][0])


def address_rules() -> chat_webhooks.AddressRules:
    return chat_webhooks.AddressRules(
        allowed_networks=feed_settings.current().fetch.allowed_networks,
        http_loopback=bool(current_app.config.get("CHAT_WEBHOOK_HTTP_LOOPBACK")))


def highlight_message(content: Content) -> ChatMessage:
    """The announcement of a highlight: title, summary, and the share panel (never a tracked link)."""
    program = current_app.config["PROGRAM_NAME"]
    link = external_url("sharing.panel", content_id=content.id)
    with force_locale(program_language()):
        return ChatMessage(heading=_("Highlight of the week on %(program)s", program=program),
                           title=content.title, summary=content.summary, link=link,
                           link_label=_("Open the share panel"))


def test_message() -> ChatMessage:
    program = current_app.config["PROGRAM_NAME"]
    with force_locale(program_language()):
        return ChatMessage(heading=_("Test message from %(program)s", program=program),
                           title=_("%(program)s can post in this channel.", program=program),
                           summary=_("The weekly highlights will be announced here, with a link to share them."),
                           link=external_url("main.home"), link_label=_("Open %(program)s", program=program))


def _post(webhook_url: str, platform, message: ChatMessage) -> chat_delivery.PostOutcome:
    rules = address_rules()
    if not chat_webhooks.scheme_allowed(webhook_url, rules):
        return chat_delivery.PostOutcome(False, "https_only")
    return chat_delivery.post(webhook_url, payload(platform, message), rules.allowed_networks)


def send_test(webhook: ChatWebhook) -> chat_delivery.PostOutcome:
    """Post the test message now (an admin asked and waits for the answer); records nothing."""
    url = chat_webhooks.unseal(current_app.config["SECRET_KEY"], webhook.url_sealed)
    if url is None:
        return chat_delivery.PostOutcome(False, "unreadable")
    return _post(url, webhook.platform, test_message())


@dataclass
class Tally:
    due: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # given up
    skipped: int = 0  # taken by another run, or no longer a highlight

    def describe(self) -> str:
        return (f"{self.due} due, {self.sent} sent, {self.retrying} to retry, {self.failed} given up, "
                f"{self.skipped} skipped")


def send_due(now: datetime | None = None) -> Tally:
    """Scheduled: post the highlights due in the team's chat, retrying failures with back-off."""
    session = get_session()
    now = now or clock.now()
    ids = chat_delivery.due_ids(session, now)
    session.commit()  # no transaction stays open while posting
    tally = Tally(due=len(ids))
    secret_key = current_app.config["SECRET_KEY"]
    for delivery_id in ids:
        if not chat_delivery.claim(session, delivery_id, now):
            session.rollback()
            tally.skipped += 1
            continue
        session.commit()  # the claim is durable before the message leaves
        delivery = session.get(ChatDelivery, delivery_id)
        assert delivery is not None
        content = session.get(Content, delivery.content_id)
        if content is None or not content.highlighted or contents.status_of(content, now) != contents.Status.PUBLISHED:
            chat_delivery.cancel(session, delivery)
            session.commit()
            tally.skipped += 1
            continue
        url = chat_webhooks.unseal(secret_key, delivery.webhook.url_sealed)
        if url is None:
            outcome, final = chat_delivery.PostOutcome(False, "unreadable"), True
        else:
            try:
                message = highlight_message(content)
            except NoBaseURL:
                outcome, final = chat_delivery.PostOutcome(False, "no_base_url"), False
            else:
                platform = delivery.webhook.platform
                session.commit()  # the reads above end here: no transaction waits on the network
                outcome, final = _post(url, platform, message), False
        chat_delivery.record(session, delivery, outcome, now, final=final)
        session.commit()
        if outcome.ok:
            tally.sent += 1
        elif delivery.status == ChatDeliveryStatus.FAILED:
            tally.failed += 1
            # The webhook's id and the reason; never its address.
            log.warning("chat webhook %s: a highlight could not be posted (%s %s); given up",
                        delivery.webhook_id, outcome.error, outcome.detail or "")
        else:
            tally.retrying += 1
    return tally
