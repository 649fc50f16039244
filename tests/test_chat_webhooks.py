"""The team's chat: highlights posted through Slack, Teams Workflows and Mattermost webhooks.

Every post reaches a real HTTP server on 127.0.0.1 (tests/chat_receiver.py)
that checks the payload against its platform's documented shape. Time is
given to the job (``send_due(now=...)``), never waited for.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy import chat_posts, jobs_by_hand, migrate
from advocacy.db import get_engine, get_session
from advocacy.models import ChatDelivery, ChatDeliveryStatus, ChatWebhook, Content, Role, utcnow
from advocacy.services import chat_delivery, chat_webhooks, contents
from chat_receiver import ChatReceiver
from curation_helpers import editor_form

BASE_URL = "https://relais.example.org"
SECRET_PATH = "T0001/B0002/VerySecretToken4242"


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8", "CHAT_WEBHOOK_HTTP_LOOPBACK": True, "BASE_URL": BASE_URL,
            "LANGUAGES": ["en", "fr"]}


@pytest.fixture
def receiver():
    server = ChatReceiver()
    yield server
    server.close()


def add_webhook(app, platform: str, url: str, name: str = "#ambassadors") -> int:
    with app.app_context():
        session = get_session()
        webhook = chat_webhooks.add_webhook(session, platform=platform, name=name, url=url,
                                            secret_key=app.config["SECRET_KEY"],
                                            rules=chat_posts.address_rules(), now=utcnow())
        session.commit()
        return webhook.id


def publish_highlight(app, title: str = "Our new site in Lyon", summary: str = "Twelve jobs.", *,
                      publish_at=None) -> int:
    now = utcnow()
    with app.app_context():
        session = get_session()
        draft = contents.ContentDraft(title=title, summary=summary, target_url="https://example.org/lyon",
                                      publish_at=publish_at or now - timedelta(minutes=1), highlighted=True,
                                      texts={"x": ["Lyon!"]})
        content = contents.create_content(session, draft, None, now)
        session.commit()
        return content.id


def run_job(app, now=None) -> chat_posts.Tally:
    with app.app_context():
        return chat_posts.send_due(now or utcnow())


def the_delivery(app) -> ChatDelivery:
    with app.app_context():
        rows = list(get_session().scalars(select(ChatDelivery)))
        assert len(rows) == 1
        return rows[0]


def webhook_count(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(ChatWebhook))


@pytest.mark.parametrize("platform", ["slack", "teams", "mattermost"])
def test_a_published_highlight_reaches_each_platform_in_its_documented_format(app, receiver, platform):
    receiver.up()
    add_webhook(app, platform, receiver.url(platform))
    title = "Lyon <!channel> & <b>jobs</b> @all"
    content_id = publish_highlight(app, title, "Twelve jobs > ten. @channel")
    tally = run_job(app)
    assert (tally.sent, receiver.rejected) == (1, [])
    [post] = receiver.received
    text = str(post["payload"])
    share_panel = f"{BASE_URL}/content/{content_id}/share"
    assert share_panel in text
    assert "/s/" not in text  # never a tracked link: the team's clicks are not the audience's
    if platform == "slack":
        assert "Lyon &lt;!channel&gt; &amp; &lt;b&gt;jobs&lt;/b&gt;" in text and "<!channel>" not in text
    elif platform == "teams":
        card = post["payload"]["attachments"][0]["content"]
        assert card["body"][1]["type"] == "RichTextBlock" and card["body"][1]["inlines"][0]["text"] == title
        assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the share panel", "url": share_panel}]
    else:
        assert "@all" not in text and "@channel" not in text  # a mention notifies nobody
        assert "\\<\\!channel\\>" in post["payload"]["text"]
    assert the_delivery(app).status == ChatDeliveryStatus.SENT
    assert run_job(app).due == 0 and len(receiver.received) == 1  # posted once


def test_a_title_written_as_markdown_is_no_link_in_teams(app, receiver):
    """Teams reads Markdown in a TextBlock's text ([label](address) is a link, **x** bold): a feed's
    title must not become a link in the team's channel. Text from the content goes in TextRuns,
    which Teams shows as written."""
    receiver.up()
    add_webhook(app, "teams", receiver.url("teams"))
    title = "[Reset your password](https://phish.example/login) **now**"
    summary = "1. Open [this](https://phish.example/x)\r2. _Sign in_"
    publish_highlight(app, title, summary)
    assert run_job(app).sent == 1 and receiver.rejected == []
    [post] = receiver.received
    card = post["payload"]["attachments"][0]["content"]
    markdown_read = [element["text"] for element in card["body"] if element["type"] == "TextBlock"]
    assert not any("phish.example" in text for text in markdown_read)
    runs = [run["text"] for element in card["body"] if element["type"] == "RichTextBlock"
            for run in element["inlines"]]
    assert title in runs and any("phish.example/x" in run for run in runs)  # shown as written


def test_a_webhook_that_redirects_is_not_followed(app, receiver):
    """A redirect could lead the post (the content, from Relais's network position) to an address
    the check never saw, a private one included: it is a failure, and the target gets nothing."""
    elsewhere = ChatReceiver().up()
    try:
        receiver.up().redirect_to = elsewhere.url("slack", "T9/B9/elsewhere")
        add_webhook(app, "slack", receiver.url("slack"))
        publish_highlight(app)
        assert run_job(app).sent == 0
        assert len(receiver.received) == 1 and elsewhere.received == []
        delivery = the_delivery(app)
        assert delivery.status != ChatDeliveryStatus.SENT and delivery.last_error_detail == "307"
    finally:
        elsewhere.close()


def test_publishing_while_the_chat_is_down_succeeds_then_is_retried_with_back_off_and_posted_once(
        app, client, auth, receiver):
    add_webhook(app, "slack", receiver.url("slack"))  # the receiver is down: its port refuses connections
    auth.login_as(Role.CURATOR)
    response = client.post("/curation/contents/new", data=editor_form(highlighted="y"))
    assert response.status_code == 302  # published: the chat was not even tried
    delivery = the_delivery(app)
    assert (delivery.status, delivery.attempts, receiver.received) == (ChatDeliveryStatus.PENDING, 0, [])

    start = utcnow()
    assert run_job(app, start).retrying == 1
    delivery = the_delivery(app)
    assert (delivery.attempts, delivery.last_error) == (1, "unreachable")
    assert delivery.next_attempt_at == start + timedelta(minutes=1)
    assert run_job(app, start + timedelta(seconds=59)).due == 0  # not before its back-off
    run_job(app, start + timedelta(minutes=1))
    delivery = the_delivery(app)
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + timedelta(minutes=1) + timedelta(minutes=2)  # doubled

    receiver.up()
    assert run_job(app, delivery.next_attempt_at).sent == 1
    assert len(receiver.received) == 1 and receiver.rejected == []
    delivery = the_delivery(app)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (ChatDeliveryStatus.SENT, 3, None)
    assert run_job(app, start + timedelta(days=1)).due == 0
    assert len(receiver.received) == 1


def test_after_the_last_attempt_the_delivery_fails_and_admins_see_it(app, client, auth, receiver):
    receiver.up()
    receiver.status = 500
    add_webhook(app, "mattermost", receiver.url("mattermost"), name="Town square")
    publish_highlight(app)
    when = utcnow()
    for attempt in range(1, chat_delivery.MAX_ATTEMPTS + 1):
        run_job(app, when)
        delivery = the_delivery(app)
        assert delivery.attempts == attempt
        when = delivery.next_attempt_at
    assert delivery.status == ChatDeliveryStatus.FAILED
    assert (delivery.last_error, delivery.last_error_detail) == ("http_status", "500")
    assert len(receiver.received) == chat_delivery.MAX_ATTEMPTS
    assert run_job(app, when + timedelta(days=1)).due == 0  # given up: no more tries

    auth.login_as(Role.ADMIN)
    home = client.get("/").get_data(as_text=True)
    assert "1</strong>" in home and "team chat webhook failing" in home
    page = client.get("/admin/chat-webhooks").get_data(as_text=True)
    assert f"given up after {chat_delivery.MAX_ATTEMPTS} attempts" in page
    assert "The chat platform refused the message (HTTP 500)." in page


def test_a_failing_webhook_shows_its_attempts_and_next_try(app, client, auth, receiver):
    add_webhook(app, "teams", receiver.url("teams"))  # down
    publish_highlight(app)
    run_job(app)
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/chat-webhooks").get_data(as_text=True)
    assert f"1 of {chat_delivery.MAX_ATTEMPTS} attempts made; next try" in page
    assert "Relais could not reach 127.0.0.1." in page


def test_the_address_is_never_shown_in_full_nor_stored_in_clear_nor_logged(app, client, auth, receiver, caplog):
    receiver.up()
    admin = auth.login_as(Role.ADMIN)
    url = receiver.url("slack", SECRET_PATH)
    response = client.post("/admin/chat-webhooks", data={"platform": "slack", "name": "#team", "url": url})
    assert response.status_code == 302
    page = client.get("/admin/chat-webhooks").get_data(as_text=True)
    assert SECRET_PATH not in page and "VerySecret" not in page
    assert "127.0.0.1 …4242" in page  # the host and the last 4 characters
    # A form sent back with an error does not echo the address either.
    refused = client.post("/admin/chat-webhooks", data={"platform": "slack", "name": "", "url": url})
    assert refused.status_code == 400 and "VerySecret" not in refused.get_data(as_text=True)
    with app.app_context():
        row = get_session().scalars(select(ChatWebhook)).one()
        assert b"VerySecret" not in bytes(row.url_sealed) and "VerySecret" not in row.url_hint
    # Nor in the admin's own data, nor in anything logged while posting.
    assert "VerySecret" not in client.get("/me/data/export.json").get_data(as_text=True)
    assert admin is not None
    caplog.set_level(logging.DEBUG)
    publish_highlight(app)
    assert run_job(app).sent == 1
    with app.app_context():
        webhook_id = get_session().scalars(select(ChatWebhook.id)).one()
    client.post(f"/admin/chat-webhooks/{webhook_id}/test")
    assert len(receiver.received) == 2
    assert "VerySecret" not in caplog.text and "VerySecret" not in "".join(str(r.args) for r in caplog.records)


@pytest.mark.parametrize(("url", "message"), [
    ("http://93.184.215.14/services/x", "Only addresses starting with https:// are accepted"),
    ("https://10.20.0.5/hooks/x", "points to a private network"),
    ("https://169.254.169.254/latest/meta-data", "points to a private network"),
    ("https://[::1]:8443/hooks/x", "points to a private network"),
    ("https://192.168.1.10/hooks/x", "points to a private network"),
    ("ftp://93.184.215.14/x", "This is not a web address"),
    ("https://user:pass@93.184.215.14/x", "This is not a web address"),
    ("", "Paste the webhook"),
])
def test_refused_addresses_say_why_and_store_nothing(app, client, auth, url, message):
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/chat-webhooks", data={"platform": "slack", "name": "#team", "url": url})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="#team"' in page  # what was typed is kept, except the secret address
    assert webhook_count(app) == 0


def test_http_to_loopback_is_refused_without_the_development_setting(app, receiver):
    app.config["CHAT_WEBHOOK_HTTP_LOOPBACK"] = False
    with app.app_context(), pytest.raises(chat_webhooks.ChatWebhookError, match="https_only"):
        chat_webhooks.check_address(receiver.url("slack"), chat_posts.address_rules())
    app.config["CHAT_WEBHOOK_HTTP_LOOPBACK"] = True
    app.config["FEED_ALLOWED_NETWORKS"] = []
    from advocacy import feed_settings
    feed_settings.init_app(app)
    # Loopback is private: without the feeds' opt-in it is refused like any private address.
    with app.app_context(), pytest.raises(chat_webhooks.ChatWebhookError, match="private_address"):
        chat_webhooks.check_address(receiver.url("slack"), chat_posts.address_rules())
    assert chat_webhooks.check_address("https://93.184.215.14/services/T/B/x", chat_webhooks.AddressRules())


def test_the_test_button_posts_once_and_reports_a_failure(app, client, auth, receiver):
    webhook_id = add_webhook(app, "teams", receiver.url("teams"), name="Comms team")
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/chat-webhooks").get_data(as_text=True)
    intent = re.search(rf'/admin/chat-webhooks/{webhook_id}/test".*?name="intent" value="([^"]+)"', page,
                       re.S).group(1)
    down = client.post(f"/admin/chat-webhooks/{webhook_id}/test", data={"intent": intent}, follow_redirects=True)
    assert "The test message could not be posted through “Comms team”: Relais could not reach 127.0.0.1." \
        in down.get_data(as_text=True)
    receiver.up()
    sent = client.post(f"/admin/chat-webhooks/{webhook_id}/test", data={"intent": intent}, follow_redirects=True)
    assert "A test message was posted through “Comms team”" in sent.get_data(as_text=True)
    client.post(f"/admin/chat-webhooks/{webhook_id}/test", data={"intent": intent})  # a reload: not posted again
    assert len(receiver.received) == 1 and receiver.rejected == []
    card = receiver.received[0]["payload"]["attachments"][0]["content"]
    assert card["actions"][0]["url"] == BASE_URL + "/"
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(ChatDelivery)) == 0  # a test records nothing


def test_a_scheduled_highlight_is_posted_once_published_and_withdrawn_if_unhighlighted(app, receiver):
    receiver.up()
    add_webhook(app, "slack", receiver.url("slack"))
    publish_at = utcnow() + timedelta(days=2)
    content_id = publish_highlight(app, publish_at=publish_at)
    assert the_delivery(app).next_attempt_at == publish_at
    assert run_job(app).due == 0
    with app.app_context():
        session = get_session()
        content = session.get(Content, content_id)
        draft = contents.ContentDraft.of(content)
        draft.highlighted = False
        contents.update_content(session, content, draft, None, utcnow())
        session.commit()
        assert session.scalar(select(func.count()).select_from(ChatDelivery)) == 0
    assert run_job(app, publish_at + timedelta(minutes=1)).due == 0 and receiver.received == []


def test_a_webhook_switched_off_posts_nothing_and_deleting_it_removes_its_deliveries(app, client, auth, receiver):
    receiver.up()
    webhook_id = add_webhook(app, "slack", receiver.url("slack"))
    auth.login_as(Role.ADMIN)
    assert client.post(f"/admin/chat-webhooks/{webhook_id}/disable").status_code == 302
    publish_highlight(app)
    assert run_job(app).due == 0 and receiver.received == []
    assert client.post(f"/admin/chat-webhooks/{webhook_id}/enable").status_code == 302
    assert client.post(f"/admin/chat-webhooks/{webhook_id}/delete").status_code == 302
    assert client.post(f"/admin/chat-webhooks/{webhook_id}/delete").status_code == 404
    assert webhook_count(app) == 0


def test_a_changed_secret_key_makes_the_address_unreadable_and_says_so(app, client, auth, receiver):
    receiver.up()
    add_webhook(app, "slack", receiver.url("slack"))
    publish_highlight(app)
    app.config["SECRET_KEY"] = "another-secret-key"
    try:
        run_job(app)
        delivery = the_delivery(app)
        assert (delivery.status, delivery.last_error) == (ChatDeliveryStatus.FAILED, "unreadable")
        assert receiver.received == []
        auth.login_as(Role.ADMIN)
        assert "SECRET_KEY" in client.get("/admin/chat-webhooks").get_data(as_text=True)
    finally:
        app.config["SECRET_KEY"] = "test-secret-key"


def test_only_admins_reach_the_page(app, client, auth):
    auth.login_as(Role.CURATOR)
    assert client.get("/admin/chat-webhooks").status_code == 403
    assert client.post("/admin/chat-webhooks", data={"platform": "slack", "name": "x",
                                                     "url": "https://93.184.215.14/x"}).status_code == 403
    assert webhook_count(app) == 0


def test_the_job_runs_by_hand_under_the_lease(app, receiver):
    receiver.up()
    add_webhook(app, "mattermost", receiver.url("mattermost"))
    publish_highlight(app)
    assert jobs_by_hand.run(app, "post-to-chat") == "chat: 1 due, 1 sent, 0 to retry, 0 given up, 0 skipped"
    assert len(receiver.received) == 1


def test_the_migration_goes_down_and_up_again(app):
    migrate.downgrade(app, "0025")
    with app.app_context(), get_engine().connect() as connection:
        assert "chat_webhooks" not in connection.dialect.get_table_names(connection)
    migrate.upgrade(app)
    add_webhook(app, "slack", "https://93.184.215.14/services/T/B/x")
    assert webhook_count(app) == 1


def edit_title(app, content_id: int, title: str) -> None:
    with app.app_context():
        session = get_session()
        content = session.get(Content, content_id)
        draft = contents.ContentDraft.of(content)
        draft.title = title
        contents.update_content(session, content, draft, None, utcnow())
        session.commit()


def test_editing_a_highlight_posts_it_again_nowhere_and_only_new_ones_reach_a_webhook_added_later(app, receiver):
    receiver.up()
    first = add_webhook(app, "slack", receiver.url("slack"))
    content_id = publish_highlight(app)
    assert run_job(app).sent == 1
    edit_title(app, content_id, "Our new site in Lyon, twelve jobs")  # sent already: not again
    later = add_webhook(app, "mattermost", receiver.url("mattermost"))
    edit_title(app, content_id, "Our new site in Lyon (12 jobs)")  # published before `later` existed: not posted
    scheduled = publish_highlight(app, "Next week", publish_at=utcnow() + timedelta(days=1))
    with app.app_context():
        rows = {(d.webhook_id, d.content_id) for d in get_session().scalars(select(ChatDelivery))}
    assert rows == {(first, content_id), (first, scheduled), (later, scheduled)}
    assert run_job(app).due == 0 and len(receiver.received) == 1


def test_an_http_address_stops_posting_once_the_development_setting_is_off(app, receiver):
    receiver.up()
    add_webhook(app, "slack", receiver.url("slack"))
    publish_highlight(app)
    app.config["CHAT_WEBHOOK_HTTP_LOOPBACK"] = False
    run_job(app)
    assert the_delivery(app).last_error == "https_only" and receiver.received == []
