"""Replaying a POST as a browser does: the same form, with the same intent key, sent again."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from advocacy.db import get_session


def form_data(page: str, action: str, page_url: str | None = None, **fields) -> dict:
    """The hidden fields of the form posting to ``action`` on this page (the intent key among them), plus ``fields``.

    A form without an action posts to its own page, ``page_url``."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page, re.S):
        opening = form.split(">", 1)[0]
        if f'action="{action}"' in opening or ("action=" not in opening and action == page_url):
            hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
            return {name: html.unescape(value) for name, value in hidden} | fields
    raise AssertionError(f"no form posting to {action}")


def replay(client, action: str, data: dict, times: int = 3, **kwargs) -> list:
    """The identical POST ``times`` times (the client keeps its cookies, like a browser reloading)."""
    assert data.get("intent"), "the form carries an intent key"
    return [client.post(action, data=dict(data), **kwargs) for _ in range(times)]


def fresh(client, page_url: str, action: str, **fields) -> dict:
    """A genuinely new intent: the form fetched again, with its new key."""
    return form_data(client.get(page_url).get_data(as_text=True), action, page_url, **fields)


def count(app, model, *where) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model).where(*where))
