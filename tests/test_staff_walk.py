"""The walk: no staff page or export ever puts an ambassador's name next to a figure about them.

What is checked, precisely. Seven ambassadors get distinctive names and
e-mails and a distinctive number of shares under their name (53, 59, 61,
... prime numbers no other figure of the arranged data takes). A "per-person
figure" is one of these counts. A "block" is what a reader takes as one
line: a table row (``<tr>``), a list item, a paragraph, a heading, a
``<dt>``/``<dd>``, an ``<option>`` or a ``<label>`` of an HTML page (with
everything nested in it), or one line of any other response (CSV, JSON,
.ics, OPML). The test fails if any block that holds an ambassador's name or
e-mail also holds, as a whole number, that ambassador's own count.

Every GET route of ``app.url_map`` is visited, as a curator and as an
admin, with its URL parameters filled from real rows (``PARAMETERS``); a
route added later with a parameter the table does not know makes the test
fail until a source is added, so no page escapes the walk. The insights
page and its export must, in addition, name no ambassador at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from advocacy import jobs
from advocacy.db import get_session
from advocacy.models import CalendarEvent, Content, Feed, FeedbackItem, FeedItem, KitPage, Purpose, Role, Survey, User
from advocacy.services import accounts, digest, notification_mail, reader_feeds
from curation_helpers import make_feed, make_item
from insights_helpers import add_clicks, add_shares, place_in_department
from program_helpers import switch_to
from test_calendar import add_event, subscription_link
from test_consent import grant
from test_feedback import send
from test_kit import create_page
from test_personal_feed import publish, world  # noqa: F401
from test_surveys import from_template

TODAY = datetime.now(UTC).date()
COUNTS = [53, 59, 61, 67, 71, 73, 79]
# Routes not walked, and why. Keep this short: everything else is walked.
NOT_WALKED = {
    "static": "files of the app itself",
    "images.show": "image bytes (copies of feed pictures), no text",
    "webapp.favicon": "the app's icon, no text",
}
BLOCKS = {"tr", "li", "p", "dt", "dd", "option", "label", "h1", "h2", "h3", "h4", "caption", "figcaption"}


class Blocks(HTMLParser):
    """The text of every block element, nested text included."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, list[str]]] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                text = " ".join(self.open[index][1])
                del self.open[index:]
                self.blocks.append(text)
                for _tag, parts in self.open:  # nested text belongs to the outer blocks too
                    parts.append(text)
                return

    def handle_data(self, data):
        if self.open:
            self.open[-1][1].append(data)


def blocks_of(body: str, mimetype: str) -> list[str]:
    if mimetype == "text/html":
        parser = Blocks()
        parser.feed(body)
        parser.close()
        return parser.blocks
    return body.splitlines()


def leaks(body: str, mimetype: str, persons: list[dict]) -> list[str]:
    found = []
    for block in blocks_of(body, mimetype):
        numbers = set(re.findall(r"(?<![\d.])\d+(?![\d.])", block))
        for person in persons:
            if (person["name"] in block or person["email"] in block) and str(person["count"]) in numbers:
                found.append(block.strip()[:200])
    return found


def test_the_check_catches_a_name_beside_its_count():
    persons = [{"name": "Zephyrine Quillfeather", "email": "zq@walk.example", "count": 53}]
    assert leaks("<table><tr><td>Zephyrine Quillfeather</td><td>53</td></tr></table>", "text/html", persons)
    assert leaks("<ul><li><span>zq@walk.example</span> shared <b>53</b></li></ul>", "text/html", persons)
    assert leaks("x,zq@walk.example,53\n", "text/csv", persons)
    assert not leaks("<tr><td>Zephyrine Quillfeather</td></tr><tr><td>53</td></tr>", "text/html", persons)
    assert not leaks("<p>Zephyrine Quillfeather joined on 2053-01-01, 153 posts</p>", "text/html", persons)


@pytest.fixture
def program(app, client, auth, world):
    """A program with a row behind every kind of URL parameter, and seven counted ambassadors."""
    needs, topics = world
    content_id = publish(app, "Walk post", topics=[topics["Energy"]], needs=[needs["career"]])
    persons = []
    for index, count in enumerate(COUNTS):
        letter = "ABCDEFG"[index]
        name, email = f"Zephyrine Quillfeather{letter}", f"zq-{letter.lower()}@walk.example"
        user = auth.create_user(Role.AMBASSADOR, email=email, name=name, language="en")
        for purpose in (Purpose.SHARE_ATTRIBUTION, Purpose.DIRECTORY, Purpose.NAMED_THANKS):
            grant(app, user, purpose)
        add_shares(app, content_id, "x", TODAY, count, user.id)
        persons.append({"id": user.id, "name": name, "email": email, "count": count, "user": user})
    place_in_department(app, [p["id"] for p in persons[:5]], "Walk department")
    add_clicks(app, content_id, "x", TODAY, 12, 3)
    # The home page's milestones, counted as the scheduler does at its start: the walks see them.
    jobs.run_job(app, jobs.compute_shared_figures, need_lease=True)
    with app.app_context():
        session = get_session()
        feed = make_feed(session)
        make_item(session, feed, 1)
        session.commit()
    # One ambassador writes feedback, named, so the inbox shows a name.
    switch_to(auth, persons[0]["user"])
    assert send(client, anonymous=False).status_code == 302
    auth.logout()
    curator = auth.login_as(Role.CURATOR, language="en")
    assert create_page(client, language="en").status_code == 302
    assert add_event(client).status_code == 302
    from_template(client)
    token = subscription_link(client).rsplit("/", 1)[-1].removesuffix(".ics")
    client.post("/thanks/", data={"message": "Thank you all", "user_id": str(persons[1]["id"])})
    with app.app_context():
        invitation = accounts.invite(get_session(), email="invitee@walk.example", role=Role.AMBASSADOR,
                                     invited_by=None, ttl_days=7)
        get_session().commit()
        unsubscribe = digest.unsubscribe_token(app.config["SECRET_KEY"], get_session().get(User, persons[0]["id"]))
        notifications_unsubscribe = digest.unsubscribe_token(
            app.config["SECRET_KEY"], get_session().get(User, persons[0]["id"]), notification_mail.UNSUBSCRIBE_SALT)
    auth.logout()
    return {"persons": persons, "curator": curator, "calendar_token": token, "invitation": invitation.token,
            "unsubscribe_token": unsubscribe, "notifications_unsubscribe_token": notifications_unsubscribe}


def first(app, column):
    with app.app_context():
        value = get_session().scalar(select(column).order_by(column))
    assert value is not None, f"arrange a row for {column}"
    return value


def reader_feed_token(app, user_id: int) -> str:
    with app.app_context():
        session = get_session()
        token = reader_feeds.new_link(session, session.get(User, user_id))
        session.commit()
        return token


def parameter_value(app, program, endpoint: str, name: str):
    """A real value for this URL parameter; fails for a parameter no one taught the walk."""
    by_endpoint = {
        ("curation.approve", "item_id"): lambda: first(app, FeedItem.id),
        ("feedback.answer", "item_id"): lambda: first(app, FeedbackItem.id),
        ("feedback.mine", "item_id"): lambda: first(app, FeedbackItem.id),
        ("calendar.feed", "token"): lambda: program["calendar_token"],
        # An ambassador's suggestions feed, as their reader fetches it (a fresh link per walk).
        ("reader_feeds.suggestions", "token"): lambda: reader_feed_token(app, program["persons"][0]["id"]),
        ("auth.accept_invitation", "token"): lambda: program["invitation"],
        ("digest.unsubscribe", "token"): lambda: program["unsubscribe_token"],
        ("notifications.unsubscribe", "token"): lambda: program["notifications_unsubscribe_token"],
        # The e-mailed sign-in link's page shows a button and no one's data (and is off by default).
        ("auth.sign_in_by_link", "token"): lambda: "walk-token",
        # An ambassador's own thank-you page: staff are refused before the id is read.
        ("sharing.thanks", "share_id"): lambda: 1,
    }
    by_name = {
        "content_id": lambda: first(app, Content.id),
        "event_id": lambda: first(app, CalendarEvent.id),
        "feed_id": lambda: first(app, Feed.id),
        "page_id": lambda: first(app, KitPage.id),
        "survey_id": lambda: first(app, Survey.id),
        "slug": lambda: first(app, KitPage.slug),
    }
    source = by_endpoint.get((endpoint, name)) or by_name.get(name)
    assert source is not None, f"the walk does not know how to fill <{name}> of {endpoint}: add it to parameter_value"
    return source()


def walk_urls(app, program) -> dict[str, str]:
    """Every GET route but NOT_WALKED, by endpoint, its parameters filled from real rows."""
    with app.test_request_context():
        from flask import url_for
        rules = [rule for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and rule.endpoint not in NOT_WALKED]
        return {rule.endpoint: url_for(rule.endpoint, **{name: parameter_value(app, program, rule.endpoint, name)
                                                          for name in rule.arguments})
                for rule in rules}


def walk(app, client, program) -> dict[str, int]:
    statuses = {}
    for endpoint, url in sorted(walk_urls(app, program).items()):
        response = client.get(url)
        statuses[endpoint] = response.status_code
        assert response.status_code < 500, (endpoint, url)
        if response.status_code != 200:
            continue
        body = response.get_data(as_text=True)
        found = leaks(body, response.mimetype, program["persons"])
        assert not found, f"{url} shows an ambassador beside their own count: {found}"
        if endpoint.startswith("insights."):
            for person in program["persons"]:
                assert person["name"] not in body and person["email"] not in body, (url, person["name"])
    return statuses


@pytest.mark.parametrize("role", [Role.CURATOR, Role.ADMIN])
def test_no_staff_page_or_export_shows_a_figure_next_to_an_ambassador(app, client, auth, program, role):
    staff = program["curator"] if role == Role.CURATOR else auth.create_user(Role.ADMIN, language="en")
    switch_to(auth, staff)
    statuses = walk(app, client, program)
    # The walk did see the pages that matter, with the people and figures on them.
    for endpoint in ("insights.index", "insights.export", "main.directory", "thanks.index",
                     "feedback.inbox", "curation.contents"):
        assert statuses[endpoint] == 200, endpoint
    if role == Role.ADMIN:
        assert statuses["admin.users"] == 200
        html = client.get("/admin/users").get_data(as_text=True)
        assert program["persons"][0]["email"] in html  # names are there; their counts are not
    html = client.get("/insights/").get_data(as_text=True)
    assert "(5–9 of 5–9)" in html  # participation is shown (7 of 7, as bands of k): the figures exist
