"""The staff home's to-do: counts with links, people counts under the k rule, a fixed cost."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event

from advocacy.db import get_engine, get_session
from advocacy.emails import mail_settings
from advocacy.models import FeedbackItem, FeedbackKind, FeedbackStatus, Role, Survey
from advocacy.services import ambassadors, clock, mail_outbox, staff_todo
from advocacy.services.anonymity import Band, Hidden
from curation_helpers import make_feed, make_item
from mail_helpers import send_queued_mail


def today(app):
    return clock.program_today(app.config["TIMEZONE"])


def ambassadors_ending_in(app, auth, days: int, how_many: int, prefix: str) -> None:
    """``how_many`` members whose mandate ends ``days`` from today (negative: already ended)."""
    for n in range(how_many):
        user = auth.create_user(Role.AMBASSADOR, email=f"{prefix}{n}@example.org", name=f"{prefix} {n}")
        with app.app_context():
            session = get_session()
            ambassadors.profile_of(session, user.id).mandate_ends_on = today(app) + timedelta(days=days)
            session.commit()


def arrange(app, *, items: int, failing: int, feedback: int, surveys: bool = True) -> None:
    with app.app_context():
        session = get_session()
        feed = make_feed(session)
        for n in range(items):
            make_item(session, feed, n)
        for n in range(failing):
            broken = make_feed(session, title=f"Broken {n}", url=f"https://example.org/broken{n}.xml")
            broken.consecutive_errors = n + 1
            broken.enabled = n % 2 == 0  # switched off for its errors, or still trying: failing both
        for n in range(feedback):
            session.add(FeedbackItem(kind=FeedbackKind.IDEA, body=f"Idea {n}", created_on=today(app)))
        session.add(FeedbackItem(kind=FeedbackKind.IDEA, body="Answered", created_on=today(app),
                                 status=FeedbackStatus.ANSWERED, reply="Yes", replied_on=today(app)))
        if surveys:
            session.add(Survey(title="Next quarter", opens_on=today(app) + timedelta(days=20),
                               closes_on=today(app) + timedelta(days=30)))
            session.add(Survey(title="Pulse now", opens_on=today(app) - timedelta(days=2),
                               closes_on=today(app) + timedelta(days=5)))
            session.add(Survey(title="Long one", opens_on=today(app) - timedelta(days=2),
                               closes_on=today(app) + timedelta(days=9)))
            session.add(Survey(title="Over", opens_on=today(app) - timedelta(days=20),
                               closes_on=today(app) - timedelta(days=1)))
        session.commit()


class Links(HTMLParser):
    """The to-do's list items: their text and their links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.items: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "ul" and "todo" in (attributes.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "li":
            self.items.append({"text": "", "links": []})
        elif self.inside and tag == "a" and self.items:
            self.items[-1]["links"].append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "ul":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.items:
            self.items[-1]["text"] += data


def todo_items(html: str) -> list[dict]:
    parser = Links()
    parser.feed(html)
    for item in parser.items:
        item["text"] = " ".join(item["text"].split())
    return parser.items


@pytest.mark.parametrize("role", [Role.CURATOR, Role.ADMIN])
def test_each_line_is_a_count_with_a_link_the_role_can_open(app, client, auth, role):
    arrange(app, items=3, failing=2, feedback=4)
    ambassadors_ending_in(app, auth, 10, 7, "soon")
    auth.login_as(role, language="en")
    items = todo_items(client.get("/").get_data(as_text=True))
    texts = [item["text"] for item in items]
    assert texts[0] == "3 new items waiting in the queue"
    assert texts[1] == "2 feeds failing"
    assert texts[2] == "4 feedback items waiting for an answer"
    assert texts[3].startswith("Mandates ending in the next 30 days: 5\u20139")  # a band of k, never "7"
    assert "7" not in texts[3]
    assert texts[4].startswith("2 surveys open") and "“Pulse now” closes on" in texts[4]
    assert len(items) == 5  # no failed mail, no failing chat webhook: no line for them
    for item in items:
        assert item["links"], item
        for link in item["links"]:
            assert client.get(link).status_code == 200, link
    assert items[2]["links"] == ["/feedback/inbox?status=new"]


def test_small_people_counts_are_not_shown(app, client, auth):
    ambassadors_ending_in(app, auth, 10, 2, "soon")
    ambassadors_ending_in(app, auth, -3, 1, "lapsed")
    auth.login_as(Role.CURATOR, language="en")
    renewals = todo_items(client.get("/").get_data(as_text=True))[3]["text"]
    assert renewals == "Mandates ending in the next 30 days: fewer than 5 · ended, not renewed: fewer than 5"
    with app.app_context():
        found = staff_todo.todo(get_session(), today=today(app), k=5, include_mail=True)
    assert found.renewals_due == Hidden(5) and found.lapsed == Hidden(5)
    with app.app_context():
        found = staff_todo.todo(get_session(), today=today(app), k=3, include_mail=True)
    assert found.renewals_due == Hidden(3)  # 2 < 3 still
    ambassadors_ending_in(app, auth, 20, 1, "third")
    with app.app_context():
        assert staff_todo.todo(get_session(), today=today(app), k=3, include_mail=False).renewals_due == Band(3, 5)


def test_an_empty_program_reads_zero_and_no_survey(app, client, auth):
    auth.login_as(Role.ADMIN, language="en")
    texts = [item["text"] for item in todo_items(client.get("/").get_data(as_text=True))]
    assert texts[:3] == ["0 new items waiting in the queue", "0 feeds failing",
                         "0 feedback items waiting for an answer"]
    assert texts[3].startswith("Mandates ending in the next 30 days: 0")
    assert texts[4] == "0 surveys open · none planned"


def test_the_next_survey_when_none_is_open(app, auth):
    with app.app_context():
        session = get_session()
        session.add(Survey(title="Later", opens_on=today(app) + timedelta(days=40),
                           closes_on=today(app) + timedelta(days=50)))
        session.add(Survey(title="Sooner", opens_on=today(app) + timedelta(days=3),
                           closes_on=today(app) + timedelta(days=60)))
        session.add(Survey(title="Closed early", opens_on=today(app) - timedelta(days=3),
                           closes_on=today(app) + timedelta(days=6), closed_early=True))
        session.commit()
        found = staff_todo.todo(session, today=today(app), k=5, include_mail=False)
    assert found.open_surveys == 0 and found.survey.title == "Sooner" and not found.survey_is_open


def test_ambassadors_get_their_feed_not_the_to_do(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    assert todo_items(client.get("/").get_data(as_text=True)) == []


def statements_of_todo(app) -> int:
    statements = []
    with app.app_context():
        engine = get_engine()

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            staff_todo.todo(get_session(), today=today(app), k=5, include_mail=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_statements_do_not_grow_with_the_data(app, auth):
    small = statements_of_todo(app)
    arrange(app, items=40, failing=6, feedback=25)
    ambassadors_ending_in(app, auth, 10, 12, "soon")
    ambassadors_ending_in(app, auth, -5, 6, "gone")
    assert statements_of_todo(app) == small
    assert small <= 6


def closed_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


@pytest.mark.parametrize("app_config", [{"SMTP_HOST": "127.0.0.1", "SMTP_PORT": closed_port(),
                                         "MAIL_MAX_ATTEMPTS": 1}])
def test_mail_that_failed_for_good_is_an_admin_line_to_the_mail_page(app, client, auth):
    with app.app_context():
        session = get_session()
        mail_outbox.enqueue(session, mail_settings(), to="someone@example.org", subject="Hello", text="Hi",
                            kind="invitation")
        session.commit()
    assert send_queued_mail(app).failed == 1  # the server is down and one attempt is all it gets
    auth.login_as(Role.ADMIN, language="en")
    lines = [item for item in todo_items(client.get("/").get_data(as_text=True)) if "e-mail" in item["text"]]
    assert [line["text"] for line in lines] == ["1 e-mail failed"]
    assert lines[0]["links"] == ["/admin/mail"] and client.get("/admin/mail").status_code == 200
    auth.logout()
    auth.login_as(Role.CURATOR, language="en")
    assert "e-mail failed" not in client.get("/").get_data(as_text=True)  # the mail is the admins' concern
