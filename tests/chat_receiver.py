"""A real HTTP server on 127.0.0.1 that receives chat webhooks and checks each payload's documented shape.

The checks are written from each platform's documentation:

- Slack incoming webhooks: a JSON object with ``text`` (a string, the
  notification's fallback) and, optionally, ``blocks``: section blocks whose
  ``text`` is a text object (``type`` ``mrkdwn`` or ``plain_text``, at most
  3,000 characters), actions blocks of buttons (``plain_text`` label of at
  most 75 characters, ``url``). In mrkdwn, ``&``, ``<`` and ``>`` are markup:
  outside a ``<url|label>`` link, content must carry them as ``&amp;``,
  ``&lt;``, ``&gt;``.
- Microsoft Teams Workflows ("When a Teams webhook request is received"):
  ``type`` ``message`` and ``attachments``, a list of objects whose
  ``contentType`` is ``application/vnd.microsoft.card.adaptive`` and whose
  ``content`` is an Adaptive Card: ``type`` ``AdaptiveCard``, a ``version``
  string, ``body`` of elements with a ``type`` (TextBlock: ``text``
  string; RichTextBlock, version 1.2 on: ``inlines``, a list of TextRun
  objects with a ``text`` string), ``actions`` of ``Action.OpenUrl`` with
  ``title`` and ``url``.
- Mattermost incoming webhooks: a JSON object with ``text`` (Markdown,
  required when there are no attachments), ``props`` optional and an object.

The receiver can be "down" (bound, not listening: connections are refused)
and brought up later on the same port, or answer an error status.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any

SLACK_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")


class PayloadError(AssertionError):
    pass


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise PayloadError(what)


def _check_slack_mrkdwn(text: str) -> None:
    """Outside <url|label> links, no raw < or >, and every & starts one of the three entities."""
    outside = SLACK_LINK.sub("", text)
    _require("<" not in outside and ">" not in outside, f"unescaped < or > in mrkdwn: {text!r}")
    _require(re.search(r"&(?!amp;|lt;|gt;)", text) is None, f"unescaped & in mrkdwn: {text!r}")


def check_slack(payload: Any) -> None:
    _require(isinstance(payload, dict), "a JSON object")
    _require(isinstance(payload.get("text"), str) and payload["text"].strip() != "", "text: a non-empty string")
    _check_slack_mrkdwn(payload["text"])
    blocks = payload.get("blocks", [])
    _require(isinstance(blocks, list) and len(blocks) <= 50, "blocks: a list of at most 50")
    for block in blocks:
        _require(block.get("type") in ("section", "actions", "header", "divider", "context"), f"block type {block}")
        if block["type"] == "section":
            text = block.get("text")
            _require(isinstance(text, dict) and text.get("type") in ("mrkdwn", "plain_text"), "section text object")
            _require(isinstance(text.get("text"), str) and 1 <= len(text["text"]) <= 3000, "section text length")
            if text["type"] == "mrkdwn":
                _check_slack_mrkdwn(text["text"])
        if block["type"] == "actions":
            elements = block.get("elements")
            _require(isinstance(elements, list) and 1 <= len(elements) <= 25, "actions elements")
            for element in elements:
                _require(element.get("type") == "button", "a button")
                label = element.get("text")
                _require(isinstance(label, dict) and label.get("type") == "plain_text", "button text plain_text")
                _require(isinstance(label.get("text"), str) and 1 <= len(label["text"]) <= 75, "button label")
                _require(isinstance(element.get("url"), str) and len(element["url"]) <= 3000, "button url")


def check_teams(payload: Any) -> None:
    _require(isinstance(payload, dict) and payload.get("type") == "message", "type: message")
    attachments = payload.get("attachments")
    _require(isinstance(attachments, list) and len(attachments) >= 1, "attachments: a non-empty list")
    for attachment in attachments:
        _require(attachment.get("contentType") == "application/vnd.microsoft.card.adaptive", "contentType")
        card = attachment.get("content")
        _require(isinstance(card, dict) and card.get("type") == "AdaptiveCard", "content: an AdaptiveCard")
        _require(isinstance(card.get("version"), str) and re.fullmatch(r"1\.\d", card["version"]) is not None,
                 "version: 1.x")
        body = card.get("body")
        _require(isinstance(body, list) and body, "body: a non-empty list")
        for element in body:
            _require(isinstance(element.get("type"), str), "body element type")
            if element["type"] == "TextBlock":
                _require(isinstance(element.get("text"), str) and element["text"] != "", "TextBlock text")
            if element["type"] == "RichTextBlock":
                inlines = element.get("inlines")
                _require(isinstance(inlines, list) and inlines, "RichTextBlock inlines: a non-empty list")
                for run in inlines:
                    _require(isinstance(run, dict) and run.get("type") == "TextRun"
                             and isinstance(run.get("text"), str), "inlines: TextRun objects with text")
        for action in card.get("actions", []):
            _require(action.get("type") == "Action.OpenUrl", "Action.OpenUrl")
            _require(isinstance(action.get("title"), str) and isinstance(action.get("url"), str), "title and url")


def check_mattermost(payload: Any) -> None:
    _require(isinstance(payload, dict), "a JSON object")
    _require(isinstance(payload.get("text"), str) and payload["text"].strip() != "", "text: a non-empty string")
    _require(isinstance(payload.get("props", {}), dict), "props: an object")


CHECKS = {"slack": check_slack, "teams": check_teams, "mattermost": check_mattermost}


class _Handler(BaseHTTPRequestHandler):
    server: _ReceiverServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        platform = self.path.strip("/").split("/")[0]
        receiver = self.server.receiver
        try:
            _require(self.headers.get("Content-Type", "").startswith("application/json"), "Content-Type: JSON")
            payload = json.loads(raw.decode("utf-8"))
            CHECKS[platform](payload)
        except (PayloadError, ValueError, KeyError) as error:
            receiver.rejected.append((self.path, str(error)))
            self._answer(400, b"invalid_payload")
            return
        receiver.received.append({"path": self.path, "platform": platform, "payload": payload})
        if receiver.redirect_to:  # a webhook address that sends the poster elsewhere
            self.send_response(307)
            self.send_header("Location", receiver.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = receiver.status
        # Teams Workflows answers 202 Accepted; Slack and Mattermost 200 with a short body.
        self._answer(status or (202 if platform == "teams" else 200), b"ok")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: ChatReceiver) -> None:
        super().__init__(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        self.receiver = receiver
        self.server_bind()  # the port is ours from now; nobody answers on it until up()


class ChatReceiver:
    """Started down (the port bound, not listening) unless ``up()`` is called."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.rejected: list[tuple[str, str]] = []
        self.status: int | None = None  # None: the platform's usual success; else this status
        self.redirect_to: str | None = None  # set: every post is answered 307 to this address
        self._server: HTTPServer = _ReceiverServer(self)
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, platform: str, secret: str = "T000/B000/s3cr3tPathXyZ9") -> str:
        return f"http://127.0.0.1:{self.port}/{platform}/{secret}"

    def up(self) -> ChatReceiver:
        self._server.server_activate()
        self._thread = threading.Thread(target=self._server.serve_forever, name="chat-receiver", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
