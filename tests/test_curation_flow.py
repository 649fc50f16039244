"""The curator's day over HTTP: approve → edit → publish, the editor's guarantees."""

from sqlalchemy import select

from advocacy.models import Content, ContentRevision, FeedItem, ItemStatus, Role, Topic, utcnow
from advocacy.services import contents, taxonomy
from curation_helpers import curator, editor_form, make_feed, make_item, needs, store  # noqa: F401


def only_content(store) -> Content:
    with store.session() as session:
        content = session.scalar(select(Content))
        if content is not None:
            _ = (content.texts, content.needs, content.topics)  # load before the session closes
        return content


def test_approve_edit_publish(client, store, curator, needs):
    with store.session() as session:
        topic = taxonomy.add_topic(session, name_en="Jobs")
        taxonomy.set_categories(session, topic, ["Recrutement"])
        item = make_item(session, make_feed(session), 1, title="We are hiring", excerpt="Two jobs in Lyon.",
                         categories=["recrutement", "Lyon"])

    # Approve opens the editor, filled from the item, with suggested topics.
    page = client.get(f"/curation/queue/{item.id}/approve")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="We are hiring"' in html and "Two jobs in Lyon." in html
    assert f'value="{item.link}"' in html
    assert f'checked id="topics-0" name="topics" type="checkbox" value="{topic.id}"' in html
    assert 'data-network="x"' in html and 'data-counter-for="texts_x-0"' in html
    assert "js/text-counter.js" in html

    response = client.post(f"/curation/queue/{item.id}/approve", data=editor_form(
        title="We are hiring in Lyon", target_url=item.link, needs=[needs[1].id],
        topics=[topic.id], **{"texts_x-1": "Second wording"},
    ))
    assert response.status_code == 302 and response.headers["Location"] == "/curation/queue"

    content = only_content(store)
    assert content.feed_item_id == item.id and content.slug == "we-are-hiring-in-lyon"
    assert content.texts_for("x") == ["We are opening in Lyon!", "Second wording"]
    assert content.texts_for("mastodon") == []
    assert [n.key for n in content.needs] == ["career"] and [t.name_en for t in content.topics] == ["Jobs"]
    assert contents.status_of(content, utcnow()) == contents.Status.PUBLISHED
    with store.session() as session:
        assert session.get(FeedItem, item.id).status == ItemStatus.APPROVED
    assert f"item-{item.id}" not in client.get("/curation/queue").get_data(as_text=True)

    # Edit: change the title; the change is recorded, the slug stays.
    response = client.post(f"/curation/contents/{content.id}", data=editor_form(
        title="Hiring in Lyon", target_url=item.link, needs=[needs[1].id], topics=[topic.id],
        **{"texts_x-1": "Second wording"},
    ))
    assert response.status_code == 302
    history = client.get(f"/curation/contents/{content.id}/history").get_data(as_text=True)
    assert "Hiring in Lyon" in history and "We are hiring in Lyon" in history and "Test Curator" in history
    with store.session() as session:
        assert session.get(Content, content.id).slug == "we-are-hiring-in-lyon"  # stable for tracked links
        assert len(session.scalars(select(ContentRevision)).all()) == 2

    # Approving the same item again leads to its content.
    again = client.get(f"/curation/queue/{item.id}/approve")
    assert again.headers["Location"] == f"/curation/contents/{content.id}"


def test_invalid_form_keeps_every_field(client, store, curator, needs):
    with store.session() as session:
        topic = taxonomy.add_topic(session, name_en="Energy")
    too_long = "x" * 281
    data = editor_form(
        title="", summary="Kept summary", target_url="not a url", image_url="https://example.org/i.png",
        publish_at="2030-01-02T10:30", expires_at="2030-02-03T11:45", highlighted="y",
        needs=[needs[0].id, needs[3].id], topics=[topic.id],
        **{"texts_x-0": too_long, "texts_x-1": "Kept variant", "texts_bluesky-0": "Kept bluesky",
           "texts_linkedin-0": "Kept linkedin", "texts_email-0": "Kept e-mail"},
    )
    response = client.post("/curation/contents/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in html
    assert "http:// or https://" in html
    assert "Too long for X: 281 / 280." in html
    for kept in ("Kept summary", "not a url", too_long, "Kept variant", "Kept bluesky", "Kept linkedin",
                 "Kept e-mail", 'value="2030-01-02T10:30"', 'value="2030-02-03T11:45"',
                 'checked id="highlighted"'):
        assert kept in html, kept
    assert f'checked id="needs-0" name="needs" type="checkbox" value="{needs[0].id}"' in html
    assert f'checked id="needs-3" name="needs" type="checkbox" value="{needs[3].id}"' in html
    assert f'checked id="topics-0" name="topics" type="checkbox" value="{topic.id}"' in html
    assert only_content(store) is None


def test_draft_and_times_in_the_program_time_zone(client, store, curator):
    response = client.post("/curation/contents/new", data=editor_form(
        publication="draft", publish_at="2030-07-01T09:00"))
    assert response.status_code == 302
    content = only_content(store)
    assert content.publish_at is None
    assert contents.status_of(content, utcnow()) == contents.Status.DRAFT
    # Publish later: 09:00 in Paris in July is 07:00 UTC.
    client.post(f"/curation/contents/{content.id}", data=editor_form(publish_at="2030-07-01T09:00"))
    content = only_content(store)
    assert content.publish_at.isoformat() == "2030-07-01T07:00:00+00:00"
    assert contents.status_of(content, utcnow()) == contents.Status.SCHEDULED
    assert 'value="2030-07-01T09:00"' in client.get(f"/curation/contents/{content.id}").get_data(as_text=True)


def test_empty_publish_time_means_now(client, store, curator):
    before = utcnow()
    client.post("/curation/contents/new", data=editor_form(publish_at=""))
    assert before <= only_content(store).publish_at <= utcnow()


def test_expiry_must_follow_publication(client, curator):
    response = client.post("/curation/contents/new", data=editor_form(
        publish_at="2030-07-01T09:00", expires_at="2030-06-01T09:00"))
    assert response.status_code == 400
    assert "The expiry must come after the publication time." in response.get_data(as_text=True)


def test_approving_a_link_already_published_warns_and_links(client, store, curator):
    with store.session() as session:
        item = make_item(session, make_feed(session), 1)
        other = make_item(session, make_feed(session, "Other", "https://example.org/other.xml"), 2,
                          link=item.link)
    client.post(f"/curation/queue/{item.id}/approve", data=editor_form(target_url=item.link))
    existing = only_content(store)
    html = client.get(f"/curation/queue/{other.id}/approve").get_data(as_text=True)
    assert "This link is already shared by" in html
    assert f'href="/curation/contents/{existing.id}"' in html
    # The curator may still go ahead (a second angle on the same page).
    assert client.post(f"/curation/queue/{other.id}/approve",
                       data=editor_form(target_url=item.link, title="Another angle")).status_code == 302


def test_manual_content_and_archive(client, store, curator):
    response = client.post("/curation/contents/new", data=editor_form())
    content = only_content(store)
    assert response.headers["Location"] == f"/curation/contents/{content.id}"
    assert content.feed_item_id is None
    listing = client.get("/curation/contents").get_data(as_text=True)
    assert "Our new site in Lyon" in listing and "written by hand" in listing
    client.post(f"/curation/contents/{content.id}/archive")
    assert contents.status_of(only_content(store), utcnow()) == contents.Status.ARCHIVED
    published = client.get("/curation/contents?status=published").get_data(as_text=True)
    assert f'href="/curation/contents/{content.id}"' not in published
    client.post(f"/curation/contents/{content.id}/unarchive")
    assert not only_content(store).archived


def test_fourth_highlight_is_refused_and_nothing_is_lost(client, store, curator):
    for n in range(3):
        assert client.post("/curation/contents/new", data=editor_form(
            title=f"Highlight {n}", highlighted="y")).status_code == 302
    response = client.post("/curation/contents/new", data=editor_form(
        title="Fourth", highlighted="y", **{"texts_x-0": "Still here"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There are already 3 highlights at that time" in html and "Highlight 0" in html
    assert 'value="Fourth"' in html and "Still here" in html
    with store.session() as session:
        assert len(session.scalars(select(Content)).all()) == 3
        first = session.scalar(select(Content).where(Content.title == "Highlight 0"))
    # Once one of the three is archived, its slot is free again.
    client.post(f"/curation/contents/{first.id}/archive")
    assert client.post("/curation/contents/new", data=editor_form(
        title="Fourth", highlighted="y")).status_code == 302


def test_curation_is_for_staff_only(client, auth):
    auth.login_as(Role.AMBASSADOR, language="en")
    for url in ("/curation/queue", "/curation/contents", "/curation/contents/new", "/curation/topics"):
        assert client.get(url).status_code == 403


def test_navigation_shows_queue_and_content(client, curator):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/curation/queue"' in html and 'href="/curation/contents"' in html


def test_deleting_a_feed_keeps_its_content(client, store, curator):
    with store.session() as session:
        feed = make_feed(session)
        item = make_item(session, feed, 1)
    client.post(f"/curation/queue/{item.id}/approve", data=editor_form(target_url=item.link))
    client.post(f"/feeds/{feed.id}/delete")
    content = only_content(store)
    assert content is not None and content.feed_item_id is None
    with store.session() as session:
        assert session.scalar(select(Topic)) is None


def test_an_item_is_approved_once(store, curator):
    from advocacy.services.contents import AlreadyApproved, ContentDraft, create_content

    with store.session() as session:
        item = make_item(session, make_feed(session), 1)
    draft = ContentDraft(title="A", target_url="https://example.org/a", publish_at=utcnow())
    with store.session() as session:
        create_content(session, draft, None, utcnow(), feed_item=session.get(FeedItem, item.id))
    with store.session() as session:
        # A second curator whose page still showed the item as new.
        stale = session.get(FeedItem, item.id)
        stale.status = ItemStatus.NEW  # what their copy believed, not written
        session.expunge(stale)
        try:
            create_content(session, draft, None, utcnow(), feed_item=stale)
        except AlreadyApproved:
            pass
        else:
            raise AssertionError("a second content was created for the same item")
        session.rollback()
    with store.session() as session:
        assert len(session.scalars(select(Content)).all()) == 1


def test_posting_an_already_approved_item_leads_to_its_content(client, store, curator):
    with store.session() as session:
        item = make_item(session, make_feed(session), 1)
    client.post(f"/curation/queue/{item.id}/approve", data=editor_form(target_url=item.link))
    response = client.post(f"/curation/queue/{item.id}/approve", data=editor_form(title="Twin"))
    content = only_content(store)
    assert response.headers["Location"] == f"/curation/contents/{content.id}"
    assert content.title != "Twin"
