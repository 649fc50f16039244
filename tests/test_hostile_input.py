"""Input nobody tried when the pages were built: each once ended in a server error.

Found by checking the running app from outside (forms filled with edge
values, guessed ids, hostile feeds). Every case must get a clear answer and
keep the database as it was; several only failed on PostgreSQL, where a NUL
character, an over-long value or an id past the INTEGER range is an error.
"""

import io

import pytest
from sqlalchemy import func, select

from advocacy.db import get_session
from advocacy.models import CalendarEvent, Content, Feed, FeedItem, Role
from curation_helpers import curator, editor_form, make_feed, make_item, needs, store  # noqa: F401
from test_calendar import EVENT, add_event

HUGE_ID = 2**31  # one past PostgreSQL's INTEGER, and SQLite overflows at 2**63
EVEN_HUGER = 10**20


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


# --- dates out of range --------------------------------------------------------

@pytest.mark.parametrize("field, value", [("starts_at", "0001-01-01T00:00"), ("ends_at", "9999-12-31T23:59"),
                                          ("starts_at", "1850-06-01T10:00")])
def test_event_in_an_impossible_year_is_refused_by_the_field_and_kept(app, client, curator, field, value):
    response = add_event(client, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 2999." in html
    assert f'value="{EVENT["title"]}"' in html and f'value="{value}"' in html
    assert count(app, CalendarEvent) == 0


def test_content_published_in_year_one_is_refused_by_the_field_and_kept(app, client, curator, needs):
    response = client.post("/curation/contents/new", data=editor_form(publish_at="0001-01-01T00:00",
                                                                       expires_at="9999-12-31T23:59"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("Enter a date between the years 1900 and 2999.") == 2
    assert 'value="Our new site in Lyon"' in html and 'value="0001-01-01T00:00"' in html
    assert count(app, Content) == 0


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31"])
def test_queue_filter_in_an_impossible_year_is_ignored(client, store, curator, query):
    with store.session() as session:
        make_item(session, make_feed(session), 1, title="Still listed")
    response = client.get(f"/curation/queue?{query}")
    assert response.status_code == 200
    assert "Still listed" in response.get_data(as_text=True)


def test_pause_until_year_one_is_refused_by_the_field(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    response = client.post("/me/profile", data={"language": "en", "paused_until": "0001-01-01"})
    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 2999." in response.get_data(as_text=True)


# --- ids and page numbers past the database's integers -----------------------

@pytest.mark.parametrize("number", [HUGE_ID, EVEN_HUGER])
@pytest.mark.parametrize("path", ["/curation/contents/{}", "/curation/contents/{}/history",
                                  "/curation/queue/{}/approve", "/feeds/{}/delete", "/kit/pages/{}/edit",
                                  "/surveys/{}", "/surveys/{}/results", "/calendar/events/{}/edit"])
def test_an_id_past_the_integer_range_is_not_found(client, curator, path, number):
    assert client.get(path.format(number)).status_code == 404


def test_an_ambassador_guessing_huge_ids_gets_not_found(client, auth):
    auth.login_as(Role.AMBASSADOR)
    assert client.get(f"/content/{EVEN_HUGER}/share").status_code == 404
    assert client.post(f"/me/feed/{EVEN_HUGER}/dismiss").status_code == 404
    assert client.post(f"/shares/{HUGE_ID}/undo").status_code == 404


@pytest.mark.parametrize("page", [HUGE_ID, EVEN_HUGER])
def test_a_page_number_past_the_end_shows_an_empty_page(client, auth, curator, page):
    assert client.get(f"/curation/contents?page={page}").status_code == 200
    auth.logout()
    auth.login_as(Role.AMBASSADOR)
    assert client.get(f"/?page={page}").status_code == 200


def test_skipping_forged_huge_ids_skips_only_the_real_ones(client, store, curator):
    with store.session() as session:
        item = make_item(session, make_feed(session), 1)
        item_id = item.id
    response = client.post("/curation/queue/skip", data={"item": [str(item_id), str(HUGE_ID), str(EVEN_HUGER)]})
    assert response.status_code == 302
    with store.session() as session:
        assert session.get(FeedItem, item_id).status.value == "skipped"


# --- NUL characters -----------------------------------------------------------

def test_a_nul_character_in_a_form_is_refused_before_any_query(app, client, auth):
    user = auth.create_user(Role.CURATOR)
    assert client.post("/login", data={"email": user.email + "\x00", "password": "x"}).status_code == 400
    auth.login(user.email, "curator-password")
    response = client.post("/calendar/events", data={**EVENT, "title": "Nul\x00"})
    assert response.status_code == 400
    assert count(app, CalendarEvent) == 0


def test_a_nul_character_in_the_query_string_is_refused(client, curator):
    assert client.get("/curation/queue?q=%00").status_code == 400


# --- hostile feeds, through the curator's page ---------------------------------

HOSTILE_RSS = ("""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile\x00 feed</title><link>https://example.org/</link>
<item><title>Nul\x00 title &#0; ref</title><link>https://example.org/a</link><guid>a\x00</guid>
<description>text\x00</description></item>
<item><title>Surrogate &#xD800; ref</title><link>https://example.org/b</link><guid>b</guid></item>
<item><title>Endless link</title><link>https://example.org/""" + "p" * 3000 + """</link><guid>c</guid>
<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="https://example.org/""" + "i" * 3000 + """"/>
</item>
</channel></rss>""").encode()


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8"}


def test_a_feed_with_nul_characters_and_endless_links_is_added_with_every_entry(app, client, curator,
                                                                                  feed_server):
    url = feed_server.static("/hostile.xml", HOSTILE_RSS)
    response = client.post("/feeds/", data={"url": url, "interval": "30"})
    assert response.status_code == 302
    with app.app_context():
        session = get_session()
        feed = session.scalar(select(Feed))
        items = {item.guid: item for item in session.scalars(select(FeedItem))}
    assert feed.title == "Hostile feed" and feed.last_error_code is None
    assert set(items) == {"a", "b", "c"}
    assert items["a"].title == "Nul title \ufffd ref" and items["a"].excerpt == "text"
    assert items["b"].title == "Surrogate \ufffd ref"
    assert items["c"].link is None and items["c"].image_url is None and not items["c"].shareable


EMPTY_ENTRIES_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hollow</title><link>https://example.org/</link>
<item><title> </title><description> </description></item><item></item></channel></rss>"""
ONE_ENTRY_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Single</title><link>https://example.org/</link>
<item><title>Only one</title><link>https://example.org/1</link></item></channel></rss>"""


def test_a_feed_whose_entries_are_all_empty_says_so_in_the_readers_language(app, client, auth, feed_server):
    url = feed_server.static("/hollow.xml", EMPTY_ENTRIES_RSS)
    auth.login_as(Role.CURATOR, language="fr")
    html = client.post("/feeds/", data={"url": url, "interval": "30"}).get_data(as_text=True)
    assert "aucune n&#39;a de titre, de texte ou de lien" in html
    assert "none of its entries" not in html and "pas du XML valide" not in html
    assert count(app, Feed) == 0


@pytest.mark.parametrize("language, expected", [("fr", "ajouté avec 1 nouvel élément."),
                                                ("en", "added with 1 new item.")])
def test_one_new_item_is_said_in_the_singular(client, auth, feed_server, language, expected):
    url = feed_server.static("/single.xml", ONE_ENTRY_RSS)
    auth.login_as(Role.CURATOR, language=language)
    response = client.post("/feeds/", data={"url": url, "interval": "30"}, follow_redirects=True)
    assert expected in response.get_data(as_text=True)


def test_every_feed_error_has_a_message_in_the_app():
    from advocacy.messages import MESSAGES
    from content_feeds import error_templates
    assert set(error_templates()) - {"feed_error"} <= set(MESSAGES["content_feeds"])


# --- duplicates -----------------------------------------------------------------

def test_a_department_differing_only_in_case_is_a_duplicate(app, client, auth):
    from advocacy.models import Department

    auth.login_as(Role.ADMIN, language="en")
    assert client.post("/admin/program/departments", data={"name": "Marketing", "headcount": "80"}).status_code == 302
    response = client.post("/admin/program/departments", data={"name": "  MARKETING ", "headcount": "40"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This department already exists." in html and 'value="40"' in html
    with app.app_context():
        assert [(d.name, d.headcount) for d in get_session().scalars(select(Department))] == [("Marketing", 80)]


# --- feed and OPML errors in the reader's language ------------------------------

DTD_OPML = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://example.org/feed.xml"/></body></opml>"""


def import_opml(client, body: bytes, name: str):
    return client.post("/feeds/import", data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")


def test_an_opml_file_with_a_dtd_is_refused_in_french(app, client, auth):
    auth.login_as(Role.CURATOR, language="fr")
    response = import_opml(client, DTD_OPML, "lolz.opml")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "contient une DTD" in html and "which Relais refuses" not in html
    assert count(app, Feed) == 0


def test_a_feed_that_is_not_valid_xml_says_where_in_french(app, client, auth, feed_server):
    url = feed_server.static("/broken.xml", b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n'
                                            b"<title>T</title>\n<oops></channel></rss>")
    auth.login_as(Role.CURATOR, language="fr")
    html = client.post("/feeds/", data={"url": url, "interval": "30"}).get_data(as_text=True)
    assert "n&#39;est pas du XML valide\u00a0: l&#39;erreur est à la ligne 4." in html
    assert "mismatched tag" not in html


@pytest.mark.parametrize("app_config", [{"FEED_MAX_BYTES": 1024}])
def test_an_opml_file_over_the_size_cap_is_refused_as_too_large(app, client, auth):
    auth.login_as(Role.CURATOR, language="en")
    outline = b'<outline text="x" xmlUrl="https://example.org/feed.xml"/>'
    big = b'<?xml version="1.0"?><opml version="2.0"><body>' + outline * 40 + b"</body></opml>"
    response = import_opml(client, big, "big.opml")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The OPML file is larger than 1 KiB." in html and "not valid XML" not in html
    assert count(app, Feed) == 0


# --- share texts: capped before they are measured --------------------------------

def posted_boxes(text: str, boxes: int) -> dict:
    from advocacy.services.networks import NETWORKS

    return {f"texts_{network}-{index}": text for network in NETWORKS for index in range(boxes)}


def test_the_worst_texts_the_caps_allow_get_the_form_back(app, client, curator, needs):
    from advocacy.services.contents import MAX_TEXT_CHARS, MAX_TEXTS_PER_NETWORK

    # A link every six characters: the input that costs the link finder most per character.
    worst = ("a.com " * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS]
    response = client.post("/curation/contents/new",
                           data=editor_form(**posted_boxes(worst, MAX_TEXTS_PER_NETWORK)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("Too long for X: 19994 / 280.") == MAX_TEXTS_PER_NETWORK  # 833 links of 23
    assert html.count("Too long for Mastodon: 5000 / 500.") == MAX_TEXTS_PER_NETWORK  # no protocol: no link
    assert html.count(f'maxlength="{MAX_TEXT_CHARS}" name="texts_') == 6 * MAX_TEXTS_PER_NETWORK
    assert html.count(worst) == 6 * MAX_TEXTS_PER_NETWORK  # every box kept as typed
    assert count(app, Content) == 0


def test_sixty_boxes_are_refused_and_the_first_ones_kept(app, client, curator, needs):
    from advocacy.services.contents import MAX_TEXTS_PER_NETWORK

    boxes = {f"texts_x-{index}": f"Variant number {index}" for index in range(60)}
    response = client.post("/curation/contents/new", data=editor_form(**boxes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"At most {MAX_TEXTS_PER_NETWORK} variants per network: the boxes after this one were not kept." in html
    assert html.count('name="texts_x-') == MAX_TEXTS_PER_NETWORK
    last = MAX_TEXTS_PER_NETWORK - 1
    assert f"Variant number {last}<" in html and f"Variant number {last + 1}<" not in html
    assert count(app, Content) == 0


def test_a_text_over_the_cap_is_refused_unmeasured_and_kept(app, client, curator, needs):
    huge = "x." * 250_000  # 500 KB: once two seconds of link finding per 10 KB
    response = client.post("/curation/contents/new", data=editor_form(**{"texts_email-0": "e" * 5001,
                                                                         "texts_x-0": huge}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A text holds at most 5000 characters; this one has 500000." in html
    assert "A text holds at most 5000 characters; this one has 5001." in html
    assert huge in html
    assert count(app, Content) == 0


@pytest.mark.parametrize("name", ["texts_x-\u00b2", "texts_x-" + "9" * 5000, "texts_x-0-0", "texts_xx-0"])
def test_a_box_with_an_odd_index_is_ignored(app, client, curator, needs, name):
    response = client.post("/curation/contents/new", data=editor_form(**{name: "Odd box"}))
    assert response.status_code == 302
    with app.app_context():
        content = get_session().scalar(select(Content))
        assert content.texts_for("x") == ["We are opening in Lyon!"]


def test_a_body_over_the_request_cap_gets_a_worded_page(app, client, curator):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == app.config["FEED_MAX_BYTES"] + 1024 * 1024  # an OPML file of a feed's size still fits
    response = client.post("/curation/contents/new", data={"texts_x-0": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "What was sent is larger than Relais accepts." in response.get_data(as_text=True)


def test_content_saved_with_more_variants_than_the_cap_opens_and_says_so(app, client, curator, needs):
    from advocacy.models import ShareText
    from advocacy.services.contents import MAX_TEXTS_PER_NETWORK

    assert client.post("/curation/contents/new", data=editor_form()).status_code == 302
    with app.app_context():
        session = get_session()
        content = session.scalar(select(Content))
        session.add_all(ShareText(content_id=content.id, network="x", position=n, text=f"Older variant {n}")
                        for n in range(1, MAX_TEXTS_PER_NETWORK + 2))
        session.commit()
        content_id = content.id
    page = client.get(f"/curation/contents/{content_id}").get_data(as_text=True)
    assert f"Older variant {MAX_TEXTS_PER_NETWORK + 1}<" in page  # shown, all of them

    boxes = {f"texts_x-{n}": f"Older variant {n}" for n in range(1, MAX_TEXTS_PER_NETWORK + 2)}
    response = client.post(f"/curation/contents/{content_id}", data=editor_form(**boxes))
    assert response.status_code == 400
    assert "the boxes after this one were not kept" in response.get_data(as_text=True)
