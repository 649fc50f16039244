"""The core loop (issue 13): from the feed, one tap opens the network's compose page, one more records the share.

The card's buttons are plain links made by the server (they work without
JS): the network's compose page, with the first wording and that network's
tracked link. "Did you share it?" is a hidden form on the card that JS
reveals on return; here it is posted as the browser would.
"""

import html
import re
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update

from advocacy.db import get_session
from advocacy.models import Content, Purpose, Role, ShareEvent, utcnow
from advocacy.services import ambassadors, contents, personal_feed
from advocacy.services.networks import LINK_NETWORKS, NETWORKS, SHARE_SHEET
from advocacy.services.share_choices import NEAREST, wordings
from advocacy.services.tracked_links import links_of
from idempotency_helpers import count, form_data, replay
from test_consent import grant
from test_personal_feed import world  # noqa: F401
from test_share_panel import set_networks

EN = {"Accept-Language": "en"}


def publish(app, title, texts):
    now = utcnow()
    with app.app_context():
        session = get_session()
        draft = contents.ContentDraft(
            title=title, summary="", target_url="https://example.org/post", publish_at=now - timedelta(hours=1),
            highlighted=False, expires_at=None, need_ids=[], topic_ids=[], texts=texts)
        content = contents.create_content(session, draft, None, now)
        session.commit()
        return content.id


def link_of(app, content_id, network) -> str:
    with app.app_context():
        return f"http://localhost/s/{links_of(get_session(), content_id)[network].code}"


def card(page: str, content_id: int) -> str:
    """The feed card of one content, its HTML unescaped (hrefs read as the browser follows them)."""
    found = re.search(rf'<li class="card suggestion" id="content-{content_id}".*?</li>', page, re.S)
    assert found, f"no card for content {content_id}"
    return html.unescape(found.group(0))


def direct_buttons(card_html: str) -> dict[str, str]:
    return {network: href for href, network in re.findall(
        r'<a class="button primary" href="([^"]+)" target="_blank" rel="noopener noreferrer"\s+'
        r'data-share-network="([a-z]+)"', card_html)}


def test_each_card_opens_the_persons_networks_directly(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_networks(app, user, ["x", "linkedin", "email"])
    content_id = publish(app, "Solar schools", {"x": ["Our schools go solar"], "linkedin": ["A longer note"]})
    page = client.get("/", headers=EN).get_data(as_text=True)
    shown = card(page, content_id)
    buttons = direct_buttons(shown)
    assert list(buttons) == ["x", "linkedin", "email"]  # the profile's, in the usual order: nothing else
    x_link, linkedin_link = link_of(app, content_id, "x"), link_of(app, content_id, "linkedin")
    assert buttons["x"] == (f"https://x.com/intent/tweet?text={quote('Our schools go solar', safe='')}"
                            f"&url={quote(x_link, safe='')}")
    assert buttons["linkedin"] == f"https://www.linkedin.com/sharing/share-offsite/?url={quote(linkedin_link, safe='')}"
    assert 'data-share-text="A longer note"' in shown  # what JS copies for LinkedIn
    assert "Your text is copied: paste it in LinkedIn’s post box" in shown and 'role="status"' in shown
    # E-mail has no wording of its own: the nearest one (LinkedIn's) rather than the bare title.
    assert buttons["email"].startswith("mailto:?subject=Solar%20schools&body=A%20longer%20note")
    # "Share…" (shown by JS where the Web Share API exists) carries the share sheet's own link.
    sheet = re.search(r"<button[^>]*data-share-sheet[^>]*>", shown).group(0)
    assert f'data-share-url="{link_of(app, content_id, "other")}"' in sheet and " hidden" in sheet
    assert 'data-share-text="Our schools go solar"' in sheet
    # And every network, with the choice of wording, one tap away.
    assert f'href="/content/{content_id}/share" data-share-more>More choices' in shown
    assert "share-loop.js" in page and "<script>" not in page


def test_networks_without_a_wording_borrow_the_nearest_one_else_the_title(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_networks(app, user, ["bluesky", "mastodon", "whatsapp"], "piaille.fr")
    worded = publish(app, "Worded", {"x": ["Short and sweet"]})
    bare = publish(app, "Bare title", {})
    page = client.get("/", headers=EN).get_data(as_text=True)
    buttons = direct_buttons(card(page, worded))
    assert buttons["bluesky"].startswith("https://bsky.app/intent/compose?text=Short%20and%20sweet%20http")
    assert buttons["mastodon"].startswith("https://piaille.fr/share?text=Short%20and%20sweet%20http")
    assert buttons["whatsapp"].startswith("https://wa.me/?text=Short%20and%20sweet%20http")
    assert all(href.split("text=")[1].startswith("Bare%20title%20http")
               for href in direct_buttons(card(page, bare)).values())


def test_the_nearest_wording_map():
    assert set(NEAREST) == set(LINK_NETWORKS)
    assert all(set(nearest) <= set(NETWORKS) and network not in nearest for network, nearest in NEAREST.items())
    texts = {"x": ["for X"], "linkedin": ["for LinkedIn", "another"]}
    assert wordings(texts, "linkedin", "Title") == ["for LinkedIn", "another"]  # its own first
    assert wordings(texts, "bluesky", "Title") == wordings(texts, SHARE_SHEET, "Title") == ["for X"]
    assert wordings(texts, "email", "Title") == ["for LinkedIn", "another"]
    assert wordings({}, "whatsapp", "Title") == ["Title"]


def test_mastodon_without_a_server_asks_for_it_and_no_networks_means_the_panel(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post", {"x": ["Words"]})
    with app.app_context():  # an older profile: Mastodon ticked before the server was required
        session = get_session()
        profile = ambassadors.profile_of(session, user.id)
        profile.networks, profile.mastodon_instance = ["mastodon"], None
        session.commit()
    shown = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    assert direct_buttons(shown) == {}
    assert 'href="/me/profile" data-share-needs-server>Mastodon: say your server' in shown
    set_networks(app, user, [])
    shown = card(client.get("/", headers=EN).get_data(as_text=True), content_id)
    assert direct_buttons(shown) == {} and f'href="/content/{content_id}/share" data-share-more>Share<' in shown


def test_did_you_share_it_records_once_with_the_network_used_and_returns_to_the_feed(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    grant(app, user, Purpose.SHARE_ATTRIBUTION)
    set_networks(app, user, ["x", "bluesky"])
    content_id = publish(app, "Post", {"x": ["Words"]})
    page = client.get("/", headers=EN).get_data(as_text=True)
    shown = card(page, content_id)
    assert re.search(r'<div class="share-prompt" data-share-prompt hidden>', shown)
    action = f"/content/{content_id}/shared"
    data = form_data(page, action) | {"network": "bluesky"}  # set by JS to the button used
    assert data["return_to"] == "feed" and data["intent"]

    answers = replay(client, action, data)

    assert count(app, ShareEvent) == 1
    with app.app_context():
        event = get_session().scalars(select(ShareEvent)).one()
        assert (event.content_id, event.network, event.user_id) == (content_id, "bluesky", user.id)
    assert {a.headers["Location"] for a in answers} == {f"/?shared={event.id}"}
    feed = client.get(f"/?shared={event.id}", headers=EN).get_data(as_text=True)
    assert "Counted, thank you!" in feed and f'action="/shares/{event.id}/undo"' in feed
    assert 'href="/me/shares"' in feed
    assert f'id="content-{content_id}"' not in feed  # shared under their name: no longer suggested
    client.post(f"/shares/{event.id}/undo")
    assert count(app, ShareEvent) == 0


def test_the_share_sheet_is_recorded_as_other(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post", {"x": ["Words"]})
    client.post(f"/content/{content_id}/shared", data={"network": SHARE_SHEET, "return_to": "feed"})
    with app.app_context():
        assert get_session().scalars(select(ShareEvent.network)).all() == [SHARE_SHEET]


def test_no_counted_banner_for_a_share_this_browser_did_not_record(app, client, auth, world):
    content_id = publish(app, "Post", {"x": ["Words"]})
    auth.login_as(Role.AMBASSADOR, email="someone@example.org")
    client.post(f"/content/{content_id}/shared", data={"network": "x", "return_to": "feed"})
    auth.logout()
    auth.login_as(Role.AMBASSADOR, email="me@example.org", language="en")
    with app.app_context():
        others = get_session().scalar(select(ShareEvent.id))
    feed = client.get(f"/?shared={others}", headers=EN).get_data(as_text=True)
    assert "Counted, thank you!" not in feed and "/undo" not in feed


def test_guessed_or_archived_content_is_404_and_records_nothing(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post", {"x": ["Words"]})
    assert client.post("/content/999999/shared", data={"network": "x", "return_to": "feed"}).status_code == 404
    with app.app_context():
        session = get_session()
        session.execute(update(Content).where(Content.id == content_id).values(archived_at=utcnow()))
        session.commit()
    answer = client.post(f"/content/{content_id}/shared", data={"network": "x", "return_to": "feed"})
    assert answer.status_code == 404 and count(app, ShareEvent) == 0
    assert client.get(f"/content/{content_id}/share").status_code == 404


def test_an_unknown_network_is_refused(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post", {"x": ["Words"]})
    assert client.post(f"/content/{content_id}/shared", data={"network": "myspace"}).status_code == 404
    assert count(app, ShareEvent) == 0


def test_after_a_share_the_thanks_page_leads_somewhere(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    content_id = publish(app, "Post", {"x": ["Words"]})
    thanks = client.post(f"/content/{content_id}/shared", data={"network": "x"}).headers["Location"]
    page = client.get(thanks, headers=EN).get_data(as_text=True)
    assert f'href="/content/{content_id}/share" data-after-share="elsewhere">Share it elsewhere' in page
    assert 'href="/" data-after-share="feed">Back to my suggestions' in page
    assert 'href="/me/shares" data-after-share="my-shares">See my shares' in page
    assert "/undo" in page


def test_the_share_sheet_is_no_profile_choice(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    assert 'value="other"' not in client.get("/me/profile", headers=EN).get_data(as_text=True)
    set_networks(app, user, ["x", SHARE_SHEET])
    with app.app_context():
        assert ambassadors.profile_of(get_session(), user.id).networks == ["x"]


def test_the_panel_offers_the_share_sheet_and_the_prompt(app, client, auth, world):
    user = auth.login_as(Role.AMBASSADOR, language="en")
    set_networks(app, user, ["linkedin"])
    content_id = publish(app, "Post", {"x": ["Words"]})
    page = html.unescape(client.get(f"/content/{content_id}/share", headers=EN).get_data(as_text=True))
    assert f'data-share-url="{link_of(app, content_id, "other")}"' in page
    assert "data-share-prompt hidden" in page and 'name="return_to"' not in page  # the panel leads to thanks
    linkedin = page.split('data-share-panel="linkedin"')[1].split("</section>")[0]
    assert 'role="status"' in linkedin and "Ctrl+V on a computer" in linkedin


def test_answering_from_a_later_page_of_the_feed_returns_to_that_page(app, client, auth, world):
    auth.login_as(Role.AMBASSADOR, language="en")
    ids = [publish(app, f"Post {n:02}", {"x": ["Words"]}) for n in range(personal_feed.PAGE_SIZE + 3)]
    second = client.get("/?page=2", headers=EN).get_data(as_text=True)
    on_second = next(content_id for content_id in ids if f'id="content-{content_id}"' in second)
    action = f"/content/{on_second}/shared"
    data = form_data(second, action) | {"network": "x"}
    assert data["page"] == "2"
    answer = client.post(action, data=data)
    assert answer.headers["Location"].startswith("/?") and "page=2" in answer.headers["Location"]
    first = client.get("/", headers=EN).get_data(as_text=True)
    assert 'name="page"' not in first  # page 1 needs no parameter
    for bad in ("0", "-3", "two"):  # nonsense leads to page 1
        page = client.get("/", headers=EN).get_data(as_text=True)
        data = form_data(page, f"/content/{ids[-1]}/shared") | {"network": "x", "page": bad}
        assert "page=" not in client.post(f"/content/{ids[-1]}/shared", data=data).headers["Location"]
