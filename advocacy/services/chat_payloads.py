"""What is posted to each chat platform: one message, in each platform's documented format.

The message is worded by the caller (in the program's language) as a
``ChatMessage``; this module only shapes it:

- **Slack** incoming webhook: ``text`` (the notification's fallback) and
  ``blocks`` of ``mrkdwn`` sections and a button. Slack reads ``&``, ``<``
  and ``>`` as markup (``<!channel>`` would ping everyone), so text from the
  content has exactly those three escaped as ``&amp;``, ``&lt;``, ``&gt;``.
- **Microsoft Teams**, Workflows' "When a Teams webhook request is
  received": a ``message`` whose one attachment is an Adaptive Card
  (``application/vnd.microsoft.card.adaptive``) with TextBlocks and an
  ``Action.OpenUrl``. A TextBlock's text is read as Markdown (links, bold,
  lists), so the content's title and summary go in RichTextBlocks of
  TextRuns (Adaptive Cards 1.2 on), which show text as written.
- **Mattermost** incoming webhook: ``text`` in Markdown, the content's text
  backslash-escaped so that it stays text, and ``@`` followed by a
  zero-width space so that a summary saying "@channel" notifies nobody.

The link is the share panel's address, never a tracked link: the team's
clicks are not the audience's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..models import ChatPlatform

# Slack: a section's text holds at most 3,000 characters, a button's label 75.
SLACK_SECTION_MAX = 3000
SLACK_BUTTON_MAX = 75
# A summary in a chat is a teaser: the share panel has the rest.
SUMMARY_MAX = 600
ADAPTIVE_CARD_VERSION = "1.4"  # what Teams renders in channels
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"
ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class ChatMessage:
    heading: str  # "Highlight of the week on Relais"
    title: str
    summary: str
    link: str
    link_label: str  # "Open the share panel"


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slack_escape(text: str) -> str:
    """The three characters Slack reads as markup, as the entities it documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: ChatMessage) -> dict[str, Any]:
    title, heading = slack_escape(message.title), slack_escape(message.heading)
    summary = slack_escape(shorten(message.summary))
    # A link's address goes between < and |: it must hold neither > nor |.
    link = message.link.replace(">", "%3E").replace("|", "%7C")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n<{link}|{title}>"[:SLACK_SECTION_MAX]}},
    ]
    if summary:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": summary[:SLACK_SECTION_MAX]}})
    blocks.append({"type": "actions", "elements": [{
        "type": "button", "text": {"type": "plain_text", "text": message.link_label[:SLACK_BUTTON_MAX]},
        "url": message.link,
    }]})
    return {"text": f"{heading}: {title} <{link}|{slack_escape(message.link_label)}>", "blocks": blocks}


def _plain_text(text: str, **style: Any) -> dict[str, Any]:
    """A RichTextBlock of one TextRun: shown as written, since a TextRun reads no Markdown
    (a TextBlock's text does: "[label](address)" would be a link in the channel)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def teams(message: ChatMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.heading, "size": "Small", "isSubtle": True, "wrap": True},
        _plain_text(message.title, size="Large", weight="Bolder"),
    ]
    summary = shorten(message.summary)
    if summary:
        body.append(_plain_text(summary))
    card = {
        "$schema": ADAPTIVE_CARD_SCHEMA, "type": "AdaptiveCard", "version": ADAPTIVE_CARD_VERSION, "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}],
    }
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD_TYPE, "contentUrl": None,
                                                 "content": card}]}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>])")


def markdown_escape(text: str) -> str:
    """Text that Markdown shows as typed, and whose "@channel" notifies nobody."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("@", "@" + ZERO_WIDTH_SPACE)


def mattermost(message: ChatMessage) -> dict[str, Any]:
    link = message.link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    lines = [f"**{markdown_escape(message.heading)}**", f"### [{markdown_escape(message.title)}]({link})"]
    summary = shorten(message.summary)
    if summary:
        lines.append(markdown_escape(summary))
    lines.append(f"[{markdown_escape(message.link_label)}]({link})")
    return {"text": "\n\n".join(lines)}


BUILDERS = {ChatPlatform.SLACK: slack, ChatPlatform.TEAMS: teams, ChatPlatform.MATTERMOST: mattermost}


def payload(platform: ChatPlatform, message: ChatMessage) -> dict[str, Any]:
    return BUILDERS[platform](message)
