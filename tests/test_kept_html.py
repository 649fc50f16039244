"""The feed's cards and the share panel's body are kept rendered per process (kept_html.py):
never stale, never someone else's.

Every test reads a page twice or more, so the second one is made from kept
parts: what it shows must be what the database says now, for this person,
in this language, with this session's CSRF token and fresh intent keys.
"""

import re
from datetime import timedelta

import pytest

from advocacy import kept_html
from advocacy.db import get_session
from advocacy.models import Content, Purpose, Role, ShareEvent, User, utcnow
from advocacy.services import ambassadors, contents
from idempotency_helpers import count, form_data
from test_consent import grant
from test_personal_feed import world  # noqa: F401
from test_share_loop import card

EN, FR = {"Accept-Language": "en"}, {"Accept-Language": "fr"}


def publish(app, title, *, needs=(), texts=None, hours_ago=1):
    now = utcnow()
    with app.app_context():
        session = get_session()
        draft = contents.ContentDraft(
            title=title, summary=f"About {title}", target_url="https://example.org/post",
            publish_at=now - timedelta(hours=hours_ago), highlighted=False, expires_at=None,
            need_ids=list(needs), topic_ids=[], texts=texts or {"x": [f"Read {title}"]})
        content = contents.create_content(session, draft, None, now)
        session.commit()
        return content.id


def edit(app, content_id, **changes):
    now = utcnow()
    with app.app_context():
        session = get_session()
        content = session.get(Content, content_id)
        fields = {"title": content.title, "summary": content.summary, "target_url": content.target_url,
                  "publish_at": content.publish_at, "expires_at": content.expires_at, "highlighted": False,
                  "need_ids": [need.id for need in content.needs], "topic_ids": [t.id for t in content.topics],
                  "texts": {"x": content.texts_for("x")}}
        contents.update_content(session, content, contents.ContentDraft(**{**fields, **changes}), None, now)
        session.commit()


def profile(app, user, *, networks, instance=None, needs=()):
    with app.app_context():
        session = get_session()
        ambassadors.update_profile(session, session.get(User, user.id), ambassadors.ProfileChanges(
            networks=networks, mastodon_instance=instance, department_id=None, language="en",
            paused_until=None, need_ids=list(needs), topic_ids=[]), utcnow().date())
        session.commit()


def kept(app) -> kept_html.KeptHtml:
    return app.extensions["advocacy.kept_html"]


def test_an_edit_or_an_archiving_shows_at_once(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Solar schools")
    assert "Read Solar schools" in card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    edit(app, content_id, title="Solar schools, the figures", texts={"x": ["The new wording"]})
    shown = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    assert "Solar schools, the figures" in shown and "The new wording" in shown
    assert "Read Solar schools" not in shown
    with app.app_context():
        session = get_session()
        contents.set_archived(session, session.get(Content, content_id), True, None, utcnow())
        session.commit()
    assert f'id="content-{content_id}"' not in client.get("/", headers=EN).get_data(as_text=True)


def test_a_new_wording_alone_shows_at_once_on_the_card_and_the_panel(app, client, auth):
    # Kept parts know the wordings by the content's revision (updated_at): a save that changes only them moves it.
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Solar schools")
    panel = f"/content/{content_id}/share"
    for _ in range(2):
        assert "Read Solar schools" in card(client.get("/", headers=EN).get_data(as_text=True), content_id)
        assert "Read Solar schools" in client.get(panel, headers=EN).get_data(as_text=True)
    edit(app, content_id, texts={"x": ["Only the wording changed"]})
    shown = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    assert "Only the wording changed" in shown and "Read Solar schools" not in shown
    on_panel = client.get(panel, headers=EN).get_data(as_text=True)
    assert "Only the wording changed" in on_panel and "Read Solar schools" not in on_panel


def test_a_card_kept_for_one_person_never_shows_another_s_choices(app, client, auth, world):
    needs, _topics = world
    content_id = publish(app, "Lyon site opens", needs=[needs["career"], needs["learning"]])
    camille = auth.login_as(Role.AMBASSADOR, email="camille@example.org", language="en")
    profile(app, camille, networks=["x", "mastodon"], instance="camille.social.example", needs=[needs["career"]])
    camille_page = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    auth.logout()
    sam = auth.login_as(Role.AMBASSADOR, email="sam@example.org", language="en")
    profile(app, sam, networks=["x", "mastodon"], instance="sam.social.example", needs=[needs["learning"]])
    for _ in range(2):  # the second time from the kept cards
        sam_page = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
        assert "sam.social.example" in sam_page and "camille.social.example" not in sam_page
        assert re.search(r"it serves\s+Learning", sam_page) and "Career" not in sam_page
    assert "camille.social.example" in camille_page and re.search(r"it serves\s+Career", camille_page)


def sign_in(client, email: str) -> None:
    """Through the sign-in form, CSRF token included, as a browser does."""
    token = form_data(client.get("/login").get_data(as_text=True), "/login")["csrf_token"]
    response = client.post("/login", data={"email": email, "password": "ambassador-password", "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_each_page_carries_its_own_session_s_token_and_fresh_intent_keys(app, client, auth):
    content_id = publish(app, "Post")
    auth.create_user(Role.AMBASSADOR, email="a@example.org", language="en")
    sign_in(client, "a@example.org")
    first = client.get("/", headers=EN).get_data(as_text=True)
    second = client.get("/", headers=EN).get_data(as_text=True)
    other_client = app.test_client()  # the same person on another device: another session
    sign_in(other_client, "a@example.org")
    other_session = other_client.get("/", headers=EN).get_data(as_text=True)
    action = f"/content/{content_id}/shared"
    keys = [form_data(page, action)["intent"] for page in (first, second, other_session)]
    assert len(set(keys)) == 3  # a fresh key per form shown, cached card or not
    tokens = {form_data(page, action)["csrf_token"] for page in (second, other_session)}
    assert len(tokens) == 2  # each session's own token
    for page in (first, second, other_session):
        assert "relais-csrf-" not in page and "relais-intent-" not in page
    # The kept card's form works: the share is recorded once.
    data = form_data(second, action, network="x")
    assert client.post(action, data=data).status_code == 302
    assert count(app, ShareEvent, ShareEvent.content_id == content_id) == 1


def test_a_language_switch_shows_the_cards_in_the_new_language(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post")
    assert "Why you see this:" in card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    client.post("/language", data={"language": "fr", "next": "/"})
    shown = card(client.get("/", headers=FR).get_data(as_text=True), content_id)
    assert "Pourquoi vous voyez ceci" in shown and "Why you see this" not in shown


def test_kept_cards_are_bounded_least_recently_used_out_first():
    cards = kept_html.KeptHtml(size=2)
    cards.put("a", "A")
    cards.put("b", "B")
    assert cards.get("a") == "A"  # now the most recent
    cards.put("c", "C")
    assert (cards.get("a"), cards.get("b"), cards.get("c"), len(cards)) == ("A", None, "C", 2)
    nothing = kept_html.KeptHtml(size=0)
    nothing.put("a", "A")
    assert nothing.get("a") is None and len(nothing) == 0


@pytest.mark.parametrize("app_config", [{"KEPT_HTML": 2}])
def test_a_feed_longer_than_the_bound_is_whole_and_keeps_only_the_bound(app, client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    ids = [publish(app, f"Post {n}", hours_ago=n + 1) for n in range(5)]
    for _ in range(2):
        page = client.get("/", headers=EN).get_data(as_text=True)
        assert all(f'id="content-{content_id}"' in page for content_id in ids)
    assert len(kept(app)) == 2


def test_the_share_panel_shows_an_edit_at_once_and_only_its_reader_s_choices(app, client, auth):
    content_id = publish(app, "Solar schools")
    camille = auth.login_as(Role.AMBASSADOR, email="camille@example.org", language="en")
    profile(app, camille, networks=["mastodon"], instance="camille.social.example")
    grant(app, camille, Purpose.SHARE_ATTRIBUTION)
    panel = f"/content/{content_id}/share"
    camille_page = client.get(panel, headers=EN).get_data(as_text=True)
    assert "camille.social.example" in camille_page and "counted under your name" in camille_page
    auth.logout()
    sam = auth.login_as(Role.AMBASSADOR, email="sam@example.org", language="en")
    profile(app, sam, networks=["mastodon"], instance="sam.social.example")
    for _ in range(2):  # the second time from the kept body
        sam_page = client.get(panel, headers=EN).get_data(as_text=True)
        assert "sam.social.example" in sam_page and "camille.social.example" not in sam_page
        assert "counted anonymously" in sam_page and "counted under your name" not in sam_page
    edit(app, content_id, title="Solar schools, the figures", texts={"x": ["The new wording"]})
    edited = client.get(panel, headers=EN).get_data(as_text=True)
    assert "Solar schools, the figures" in edited and "The new wording" in edited
    assert "Read Solar schools" not in edited


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_kept_share_panel_carries_the_session_s_token_and_fresh_intent_keys(app, client, auth):
    content_id = publish(app, "Post")
    auth.create_user(Role.AMBASSADOR, email="a@example.org", language="en")
    sign_in(client, "a@example.org")
    panel, action = f"/content/{content_id}/share", f"/content/{content_id}/shared"
    pages = [client.get(panel, headers=EN).get_data(as_text=True) for _ in range(2)]
    keys = re.findall(r'name="intent" value="([^"]+)"', pages[0] + pages[1])
    assert len(keys) == len(set(keys)) > 2  # a fresh key per form, kept body or not
    assert "relais-csrf-" not in pages[1] and "relais-intent-" not in pages[1]
    assert client.post(action, data=form_data(pages[1], action, network="x")).status_code == 302
    assert count(app, ShareEvent, ShareEvent.content_id == content_id) == 1
