"""The form of the chat webhooks page: a platform, a name and the secret address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

from ..models import ChatPlatform
from ..services.chat_webhooks import MAX_NAME, MAX_URL

PLATFORM_LABELS = {
    ChatPlatform.SLACK: "Slack",
    ChatPlatform.TEAMS: _l("Microsoft Teams (Workflows)"),
    ChatPlatform.MATTERMOST: "Mattermost",
}


class ChatWebhookForm(FlaskForm):
    platform = SelectField(_l("Chat platform"), choices=lambda: [
        SelectChoice(platform.value, label) for platform, label in PLATFORM_LABELS.items()])
    # Lengths and rules are the service's checks (their messages keep the page's other fields).
    name = StringField(_l("Name"), render_kw={"maxlength": MAX_NAME, "autocomplete": "off"})
    url = StringField(_l("Webhook address"), render_kw={"maxlength": MAX_URL, "autocomplete": "off",
                                                         "spellcheck": "false", "inputmode": "url"})
