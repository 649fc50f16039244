"""The queue: keyset pages, filters, skip with a reason, restore, bulk skip."""

from datetime import date, timedelta

from sqlalchemy import select

from advocacy.models import FeedItem, ItemStatus
from advocacy.services import queue
from curation_helpers import T0, curator, make_feed, make_item, needs, store  # noqa: F401


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def all_pages(session, filters, limit=3) -> list[int]:
    seen, cursor = [], None
    while True:
        page = queue.queue_page(session, filters, cursor, limit=limit)
        seen += ids(page)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_keyset_pages_are_newest_first_without_gaps_or_repeats(store):
    with store.session() as session:
        feed = make_feed(session)
        items = [make_item(session, feed, n) for n in range(10)]
        # Same publication time: the id breaks the tie.
        twins = [make_item(session, feed, 100 + n, published=T0 + timedelta(hours=4)) for n in range(3)]
    with store.session() as session:
        seen = all_pages(session, queue.QueueFilter())
    expected = sorted(items + twins, key=lambda i: (i.published_at, i.id), reverse=True)
    assert seen == [i.id for i in expected]


def test_cursor_round_trip_and_garbage():
    cursor = queue.Cursor(T0 + timedelta(microseconds=7), 42)
    assert queue.Cursor.decode(cursor.encode()) == cursor
    for bad in (None, "", "x.y", "1", "99999999999999999999999.1"):
        assert queue.Cursor.decode(bad) is None


def test_filters_by_feed_date_status_and_search(store):
    with store.session() as session:
        news, jobs = make_feed(session), make_feed(session, "Jobs", "https://example.org/jobs.xml")
        a = make_item(session, news, 1, title="Solar roofs", published=T0)
        b = make_item(
            session, jobs, 2, title="Technician", excerpt="Install solar panels", published=T0 + timedelta(days=2)
        )
        c = make_item(session, news, 3, title="100% renewable_energy", published=T0 + timedelta(days=4))
        d = make_item(session, news, 4, title="Old solar", status=ItemStatus.SKIPPED)
    with store.session() as session:
        page = lambda **kw: ids(queue.queue_page(session, queue.QueueFilter(**kw)))  # noqa: E731
        assert page(feed_id=jobs.id) == [b.id]
        assert page(search="SOLAR") == [b.id, a.id]  # title or excerpt, any case
        assert page(search="100%") == [c.id] and page(search="_") == [c.id]  # wildcards are literal
        assert page(since=T0 + timedelta(days=1)) == [c.id, b.id]
        assert page(until=T0 + timedelta(days=1)) == [a.id]
        assert page(status=ItemStatus.SKIPPED) == [d.id]


def test_queue_page_over_http_with_filters_and_next_link(client, store, curator):
    with store.session() as session:
        feed = make_feed(session)
        for n in range(30):
            make_item(session, feed, n, title=f"Story {n}")
    html = client.get("/curation/queue").get_data(as_text=True)
    assert "Story 29" in html and "Story 5" in html and "Story 4" not in html
    assert "Summary of item 29" in html  # the sanitised preview
    assert 'rel="noopener noreferrer"' in html
    next_url = html.split('<a href="', html.index('rel="next"') - 200)[-1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert "Story 4" in second and "Story 5" not in second
    filtered = client.get("/curation/queue?q=Story+1&since=2026-03-02&until=2026-03-02").get_data(as_text=True)
    assert "Story 1<" in filtered and "Story 10" in filtered and "Story 2<" not in filtered
    # Malformed filters are ignored, not an error.
    assert client.get("/curation/queue?since=nope&feed=abc&status=zzz&after=bad").status_code == 200


def test_skip_with_reason_then_restore(client, store, curator):
    with store.session() as session:
        item = make_item(session, make_feed(session), 1, title="Off topic")
    response = client.post("/curation/queue/skip", data={"item": item.id, "reason": "Not for us",
                                                         "next": "/curation/queue"})
    assert response.status_code == 302 and response.headers["Location"] == "/curation/queue"
    assert f"item-{item.id}" not in client.get("/curation/queue").get_data(as_text=True)
    skipped = client.get("/curation/queue?status=skipped").get_data(as_text=True)
    assert f"item-{item.id}" in skipped and "Not for us" in skipped
    with store.session() as session:
        stored = session.get(FeedItem, item.id)
        assert stored.status == ItemStatus.SKIPPED and stored.skip_reason == "Not for us"
        assert stored.curated_at is not None

    client.post("/curation/queue/restore", data={"item": item.id})
    assert f"item-{item.id}" in client.get("/curation/queue").get_data(as_text=True)
    with store.session() as session:
        stored = session.get(FeedItem, item.id)
        assert stored.status == ItemStatus.NEW and stored.skip_reason is None


def test_bulk_skip(client, store, curator):
    with store.session() as session:
        feed = make_feed(session)
        items = [make_item(session, feed, n) for n in range(4)]
    response = client.post("/curation/queue/skip", data={"item": [items[0].id, items[2].id, items[3].id]},
                           follow_redirects=True)
    assert "3 items skipped" in response.get_data(as_text=True)
    with store.session() as session:
        statuses = dict(session.execute(select(FeedItem.id, FeedItem.status)).all())
    assert statuses == {items[0].id: "skipped", items[1].id: "new", items[2].id: "skipped", items[3].id: "skipped"}


def test_skip_without_selection_says_so(client, curator):
    response = client.post("/curation/queue/skip", data={}, follow_redirects=True)
    assert "Select at least one item." in response.get_data(as_text=True)


def test_skipping_only_touches_new_items(store):
    with store.session() as session:
        feed = make_feed(session)
        approved = make_item(session, feed, 1, status=ItemStatus.APPROVED)
        assert queue.skip(session, [approved.id], "x", T0) == 0
        assert queue.restore(session, [approved.id]) == 0


def test_date_filter_uses_the_program_time_zone(store):
    from advocacy.services.clock import day_end, day_start

    # 2 March in Paris (UTC+1 in winter) runs from 1 March 23:00 to 2 March 23:00 UTC.
    assert day_start(date(2026, 3, 2), "Europe/Paris").isoformat() == "2026-03-01T23:00:00+00:00"
    assert day_end(date(2026, 3, 2), "Europe/Paris").isoformat() == "2026-03-02T23:00:00+00:00"
