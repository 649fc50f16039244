"""Atom feeds for one's own reader: an ambassador's suggestions (private link) and the decision log (public).

Validity is checked three ways: feedparser must read the feed as ``atom10``
without complaint, a strict XML parser must accept it, and ``atom_problems``
checks what RFC 4287 requires (and what the W3C feed validator checks that
can be checked offline) element by element.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from sqlalchemy import select

from advocacy.db import get_session
from advocacy.models import FeedbackItem, FeedbackStatus, Purpose, ReaderFeedToken, Role, User, utcnow
from advocacy.services import ambassadors, consent, personal_data, reader_feeds
from idempotency_helpers import count, fresh, replay
from program_helpers import switch_to
from test_feedback import send
from test_personal_feed import choose, publish, ranked_titles, world  # noqa: F401

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAG_OR_URN = re.compile(r"^(tag:[a-z0-9.-]+,\d{4}(-\d{2}){0,2}:\S+|urn:\S+)$")  # RFC 4151 / RFC 8141
HOSTILE = 'Tom & Jerry <script>alert("x")</script> ]]> end'


def feed_link(client) -> str:
    html = client.post("/me/reader-feed").get_data(as_text=True)
    return html.split('class="copy-field" value="')[1].split('"')[0]


def path_of(link: str) -> str:
    return urlsplit(link).path


def atom_problems(body: bytes, self_url: str) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, as far as it can be checked offline."""
    problems = []
    root = ElementTree.fromstring(body)  # expat: any well-formedness error raises
    if root.tag != f"{A}feed":
        return [f"root is {root.tag}"]
    if not root.get(XML_LANG):
        problems.append("no xml:lang on the feed")

    def one(parent, name, where):
        found = parent.findall(f"{A}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}")
            return None
        return found[0]

    def check_id(element, where):
        if element is not None and not TAG_OR_URN.match(element.text or ""):
            problems.append(f"{where}: id {element.text!r} is no tag: or urn: URI")

    def check_time(element, where):
        if element is not None and not RFC3339.match(element.text or ""):
            problems.append(f"{where}: {element.text!r} is no RFC 3339 time")

    check_id(one(root, "id", "feed"), "feed")
    one(root, "title", "feed")
    check_time(one(root, "updated", "feed"), "feed")
    authors = root.findall(f"{A}author")
    if not authors or any(author.find(f"{A}name") is None for author in authors):
        problems.append("feed: no author with a name")
    selves = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    if [link.get("href") for link in selves] != [self_url]:
        problems.append(f"feed: self link {[link.get('href') for link in selves]} is not {self_url}")
    ids = []
    for index, entry in enumerate(root.findall(f"{A}entry")):
        where = f"entry {index}"
        entry_id = one(entry, "id", where)
        check_id(entry_id, where)
        ids.append(entry_id.text if entry_id is not None else None)
        one(entry, "title", where)
        check_time(one(entry, "updated", where), where)
        for published in entry.findall(f"{A}published"):
            check_time(published, where)
        alternates = [link for link in entry.findall(f"{A}link") if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != 1 or not (alternates[0].get("href") or "").startswith("http"):
            problems.append(f"{where}: needs one absolute alternate link")
        for content in entry.findall(f"{A}content"):
            if content.get("type") != "html" or len(content):
                problems.append(f"{where}: content must be escaped HTML (type=html, no child element)")
    if len(ids) != len(set(ids)):
        problems.append("entry ids repeat")
    return problems


def entry_ids(body: bytes) -> list[str]:
    return [entry.findtext(f"{A}id") for entry in ElementTree.fromstring(body).iter(f"{A}entry")]


class TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def reader(app, client, auth, world):
    """An English ambassador with a career need and a link to their suggestions."""
    needs, topics = world
    user = auth.login_as(Role.AMBASSADOR, language="en")
    choose(app, user, needs=[needs["career"]], topics=[topics["Energy"]])
    link = feed_link(client)
    return {"user": user, "link": link, "path": path_of(link), "needs": needs, "topics": topics}


def test_suggestions_feed_is_valid_atom_and_holds_the_home_page_suggestions(app, client, reader):
    needs, topics = reader["needs"], reader["topics"]
    mine = publish(app, "Career post", needs=[needs["career"]], topics=[topics["Energy"]])
    publish(app, "Other post", hours_ago=30)
    feed_reader = app.test_client()  # a reader has no cookie
    response = feed_reader.get(reader["path"])
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    assert atom_problems(response.data, reader["link"]) == []
    assert [entry.title for entry in parsed.entries] == ranked_titles(app, reader["user"])
    first = parsed.entries[0]
    assert first.title == "Career post"
    # The entry leads to the share panel, never to a tracked link.
    assert first.link.endswith(f"/content/{mine}/share") and "/s/" not in response.get_data(as_text=True)
    assert "it serves Career" in first.content[0].value and "it is about Energy" in first.content[0].value
    assert parsed.feed.language == "en" and parsed.feed.author == app.config["PROGRAM_NAME"]


def test_html_in_an_entry_is_escaped_once_for_xml_and_once_for_html(app, client, reader):
    from advocacy.services import contents

    with app.app_context():
        session = get_session()
        content = contents.create_content(session, contents.ContentDraft(
            title=HOSTILE, summary=HOSTILE + "\x0b", target_url="https://example.org/hostile",
            publish_at=utcnow() - timedelta(hours=1), need_ids=[], topic_ids=[], texts={"x": ["Read"]}),
            None, utcnow())
        session.commit()
        assert content.id
    body = app.test_client().get(reader["path"]).data
    assert atom_problems(body, reader["link"]) == []  # the control character is gone, the XML parses
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.entries[0].title == HOSTILE  # the title is text, read back exactly
    html = parsed.entries[0].content[0].value
    text = TextOf()
    text.feed(html)
    assert "script" not in text.tags and HOSTILE in "".join(text.text)  # shown as text, never run


def test_entry_ids_are_stable_across_requests_edits_and_reordering(app, client, reader):
    needs = reader["needs"]
    publish(app, "First", hours_ago=3)
    publish(app, "Second", hours_ago=2)
    feed_reader = app.test_client()
    before = entry_ids(feed_reader.get(reader["path"]).data)
    assert before == entry_ids(feed_reader.get(reader["path"]).data)
    publish(app, "Best fit", needs=[needs["career"]], hours_ago=1)  # comes first, the others move down
    after = entry_ids(feed_reader.get(reader["path"]).data)
    assert after[1:] == before and after[0] not in before


def test_nothing_the_person_dismissed_and_nothing_while_paused(app, client, reader):
    shown = publish(app, "Kept")
    dismissed = publish(app, "Not for me")
    assert client.post(f"/me/feed/{dismissed}/dismiss").status_code == 302
    feed_reader = app.test_client()
    assert [e.title for e in feedparser.parse(feed_reader.get(reader["path"]).data).entries] == ["Kept"]
    with app.app_context():
        session = get_session()
        profile = ambassadors.profile_of(session, reader["user"].id)
        profile.paused_until = utcnow().date() + timedelta(days=10)
        session.commit()
    response = feed_reader.get(reader["path"])
    assert response.status_code == 200 and feedparser.parse(response.data).entries == []
    assert atom_problems(response.data, reader["link"]) == [] and shown


def test_no_session_is_read_and_no_cookie_is_set(app, client, auth, reader):
    publish(app, "Post")
    # The owner's own browser, signed in, sends its session cookie: it is not read, nothing is set.
    response = client.get(reader["path"])
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers or "Cookie" not in response.headers["Vary"]
    # Someone else signed in gets the link owner's feed, not theirs: the link alone decides.
    switch_to(auth, auth.create_user(Role.CURATOR, email="curator@example.org"))
    other = client.get(reader["path"])
    assert other.status_code == 200 and other.data == response.data and "Set-Cookie" not in other.headers
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_conditional_get(app, client, reader):
    publish(app, "Post")
    feed_reader = app.test_client()
    first = feed_reader.get(reader["path"])
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = feed_reader.get(reader["path"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert feed_reader.get(reader["path"], headers={"If-Modified-Since": modified}).status_code == 304
    publish(app, "Newer post")
    changed = feed_reader.get(reader["path"], headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert feedparser.parse(changed.data).entries[0].title == "Newer post"


def test_the_link_is_long_random_shown_once_and_stored_hashed(app, client, reader):
    token = reader["path"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes
    with app.app_context():
        stored = get_session().scalars(select(ReaderFeedToken)).one()
    assert token not in stored.token_hash and stored.token_hash not in reader["link"]
    page = client.get("/me/reader-feed").get_data(as_text=True)
    assert token not in page and "copy-field" not in page  # never shown again
    feed_reader = app.test_client()
    for guess in ("x", token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(), "A" * 43, "A" * 500):
        response = feed_reader.get(f"/atom/suggestions/{guess}")
        assert response.status_code == 404 and response.mimetype == "text/plain"


def test_an_unknown_address_under_atom_is_a_plain_404_without_session(app, client, reader):
    response = client.get("/atom/nothing-here")  # routing's own 404, with the owner's cookie sent
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("ending", ["revoked", "replaced", "left", "deactivated", "lapsed", "erased",
                                    "new charter"])
def test_a_link_that_ended_is_a_404_like_a_made_up_one(app, client, reader, ending):
    feed_reader = app.test_client()
    assert feed_reader.get(reader["path"]).status_code == 200
    user_id = reader["user"].id
    if ending == "revoked":
        assert client.post("/me/reader-feed/revoke").status_code == 302
    elif ending == "replaced":
        assert feed_reader.get(path_of(feed_link(client))).status_code == 200
    elif ending == "left":
        assert client.post("/me/leave").status_code in (200, 302)
    with app.app_context():
        session = get_session()
        user = session.get(User, user_id)
        if ending == "deactivated":
            user.active = False
        elif ending == "lapsed":
            ambassadors.profile_of(session, user_id).mandate_ends_on = utcnow().date() - timedelta(days=2)
        elif ending == "erased":
            personal_data.erase(session, user, "ambassador-password")
        elif ending == "new charter":  # not accepted yet: no suggestions on the home page either
            consent.publish_texts(session, Purpose.MEMBERSHIP, {"en": ("Charter", "Version two.")}, author=None)
        session.commit()
    response = feed_reader.get(reader["path"])
    assert response.status_code == 404  # not 401: nothing says the link ever worked
    assert "WWW-Authenticate" not in response.headers
    with app.app_context():
        left_rows = get_session().scalars(select(ReaderFeedToken.user_id)).all()
    if ending in ("revoked", "left", "erased"):
        assert left_rows == []


def test_the_link_shown_survives_a_reload_of_its_page(app, client, auth):
    auth.login_as(Role.AMBASSADOR)
    data = fresh(client, "/me/reader-feed", "/me/reader-feed")
    first, *repeats = replay(client, "/me/reader-feed", data)
    link = first.get_data(as_text=True).split('class="copy-field" value="')[1].split('"')[0]
    assert all(r.status_code == 302 for r in repeats)
    assert count(app, ReaderFeedToken) == 1
    assert app.test_client().get(path_of(link)).status_code == 200  # still the one that works
    replay(client, "/me/reader-feed", fresh(client, "/me/reader-feed", "/me/reader-feed"), times=1)
    assert count(app, ReaderFeedToken) == 1  # a new link on purpose replaces the old one
    assert app.test_client().get(path_of(link)).status_code == 404


def test_the_link_page_is_for_ambassadors(app, client, auth):
    auth.login_as(Role.CURATOR)
    assert client.get("/me/reader-feed").status_code == 403
    assert client.post("/me/reader-feed").status_code == 403


def test_a_french_reader_gets_a_french_feed(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="fr", email="fr@example.org")
    assert user.language == "fr"
    publish(app, "Billet")
    link = feed_link(client)
    body = app.test_client().get(path_of(link), headers={"Accept-Language": "en"}).data
    root = ElementTree.fromstring(body)
    assert root.get(XML_LANG) == "fr" and root.findtext(f"{A}title").startswith("Suggestions pour vous")


# --- the decision log -------------------------------------------------------------

@pytest.fixture
def decided(app, client, auth):
    """Four items from a named ambassador, three of them answered by the team: two decisions."""
    author = auth.create_user(Role.AMBASSADOR, email="zoe.named@example.org", name="Zoé Namedauthor")
    switch_to(auth, author)
    for body in ("Retain me", "Decline me", "Just answer me", "Still new"):
        assert send(client, body=body).status_code == 302
    switch_to(auth, auth.create_user(Role.CURATOR, email="cur@example.org", name="Cléo Curatorname"))
    with app.app_context():
        items = {item.body: item.id for item in get_session().scalars(select(FeedbackItem))}
    answers = {"Retain me": ("retained", "Good idea, in the next version."),
               "Decline me": ("declined", "Out of scope <b>for now</b> & later."),
               "Just answer me": ("answered", "Here is how.")}
    for body, (status, reply) in answers.items():
        assert client.post(f"/feedback/inbox/{items[body]}", data={"status": status, "reply": reply}).status_code == 302
    auth.logout()
    return items


def test_decision_feed_is_public_valid_and_mirrors_the_log(app, client, auth, decided):
    response = app.test_client().get("/atom/decisions", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    link = "http://localhost/atom/decisions"
    assert atom_problems(response.data, link) == []
    parsed = feedparser.parse(response.data)
    assert parsed.version == "atom10" and not parsed.bozo
    titles = [entry.title for entry in parsed.entries]
    assert len(titles) == 2 and any("Retain me" in t for t in titles) and any("Decline me" in t for t in titles)
    assert not any("answer me" in t or "Still new" in t for t in titles)  # decisions only
    text = response.get_data(as_text=True)
    assert "Out of scope &lt;b&gt;for now&lt;/b&gt;" in next(e.content[0].value for e in parsed.entries
                                                               if "Decline" in e.title)
    # No names: neither the author's nor the curator's, no e-mail.
    for name in ("Zoé", "Namedauthor", "zoe.named", "Cléo", "Curatorname", "cur@example.org", "@example.org"):
        assert name not in text
    # The same decisions the signed-in page shows, with anchors the entries link to.
    auth.login_as(Role.AMBASSADOR, email="reader@example.org", language="en")
    page = client.get("/feedback/decisions").get_data(as_text=True)
    for entry in parsed.entries:
        assert entry.link.startswith("http://localhost/feedback/decisions#decision-")
        assert f'id="{entry.link.split("#")[1]}"' in page
    assert 'type="application/atom+xml"' in page


def test_decision_feed_conditional_get_and_stable_ids(app, decided):
    reader = app.test_client()
    first = reader.get("/atom/decisions")
    assert reader.get("/atom/decisions", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert entry_ids(first.data) == entry_ids(reader.get("/atom/decisions").data)
    assert first.headers["Cache-Control"] == "public, no-cache"


def test_an_empty_decision_log_is_still_a_valid_feed(app):
    response = app.test_client().get("/atom/decisions")
    parsed = feedparser.parse(response.data)
    assert response.status_code == 200 and parsed.version == "atom10" and not parsed.bozo
    assert atom_problems(response.data, "http://localhost/atom/decisions") == []


def test_ids_use_base_url_host_whatever_the_request_host(app, decided):
    app.config["BASE_URL"] = "https://relais.example.org"
    body = app.test_client().get("/atom/decisions", base_url="http://10.0.0.5:8000").data
    assert all(i.startswith("tag:relais.example.org,") for i in entry_ids(body))
    assert atom_problems(body, "https://relais.example.org/atom/decisions") == []


def test_the_decision_feed_speaks_the_readers_language(app, decided):
    response = app.test_client().get("/atom/decisions", headers={"Accept-Language": "fr"})
    parsed = feedparser.parse(response.data)
    assert parsed.feed.language == "fr" and parsed.feed.title.startswith("Décisions")
    # Public and cacheable: a shared cache must not hand the French copy to an English reader.
    assert "Accept-Language" in response.headers["Vary"]
    assert any(entry.title.startswith("Retenu") and "\u00a0: Retain me" in entry.title for entry in parsed.entries)


def test_only_decided_items_are_read_for_the_feed(app, decided):
    with app.app_context():
        shown = {item.status for item in reader_feeds.latest_decisions(get_session())}
    assert shown == {FeedbackStatus.RETAINED, FeedbackStatus.DECLINED}
