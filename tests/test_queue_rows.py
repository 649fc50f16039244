"""The queue's rows, kept rendered per process: what each viewer gets, and when a row changes.

A kept row must show exactly what a fresh one would: every shown value is in
its key (an edit shows at once), the CSRF token and the page's address are
the viewer's own, each language its own row; the page's statements do not
grow with the queue, and the number of rows kept is bounded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel import dates as babel_dates
from flask_babel import force_locale
from sqlalchemy import event

from advocacy import kept_html, templating
from advocacy.db import get_engine
from advocacy.models import Feed, FeedItem, ItemStatus, Role, User
from curation_helpers import curator, make_feed, make_item, needs, store  # noqa: F401


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def queue_html(client, path="/curation/queue") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def items(store):
    with store.session() as session:
        feed = make_feed(session)
        return [make_item(session, feed, n, title=f"Story {n}") for n in range(3)]


def without_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked: a token carries the second it was signed."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def test_a_kept_row_is_what_a_fresh_one_would_be(app, client, curator, items):
    app.extensions.pop("advocacy.queue_rows", None)
    fresh = queue_html(client)
    assert without_tokens(queue_html(client)) == without_tokens(fresh)
    app.extensions.pop("advocacy.queue_rows", None)
    assert without_tokens(queue_html(client)) == without_tokens(fresh)
    assert "\x00" not in fresh  # every marker replaced


def test_each_viewer_gets_their_own_csrf_token_and_address(app, client, auth, curator, items, store):
    mine = queue_html(client)
    assert len(tokens(mine)) == 1
    other = app.test_client()
    auth.__class__(app, other).login_as(Role.CURATOR, language="en", email="other@example.org")
    theirs = queue_html(other, "/curation/queue?q=Story")
    assert len(tokens(theirs)) == 1 and tokens(theirs) != tokens(mine)
    # Rows rendered for me, served to them: their token and their page's address only.
    assert tokens(mine).isdisjoint(tokens(theirs))
    # The bulk form, each row's skip form (and the footer's language switch).
    assert theirs.count('name="next" value="/curation/queue?q=Story"') >= 1 + len(items)
    assert 'name="next" value="/curation/queue"' not in theirs


def test_an_edited_item_a_renamed_feed_and_a_reason_show_at_once(app, client, curator, items, store):
    queue_html(client)
    with store.session() as session:
        session.get(FeedItem, items[0].id).title = "Story zero, corrected"
        session.get(Feed, items[0].feed_id).title = "Renamed feed"
    html = queue_html(client)
    assert "Story zero, corrected" in html and "Story 0<" not in html
    assert html.count("Renamed feed") == len(items) + 1  # each row, and the filter's choice
    client.post("/curation/queue/skip", data={"item": items[1].id, "reason": "Off topic"})
    assert "Skipped: Off topic" in queue_html(client, "/curation/queue?status=skipped")
    with store.session() as session:
        session.get(FeedItem, items[1].id).skip_reason = "Too old"
    skipped = queue_html(client, "/curation/queue?status=skipped")
    assert "Skipped: Too old" in skipped and "Off topic" not in skipped


def test_each_language_its_own_rows(client, curator, items, store):
    assert ">Approve</a>" in queue_html(client)
    with store.session() as session:
        session.get(User, curator.id).language = "fr"  # the person's choice wins over the browser's
    french = queue_html(client)
    assert ">Approuver</a>" in french and ">Approve</a>" not in french


def test_statements_do_not_grow_with_the_queue(app, client, curator, store):
    with app.app_context():
        engine = get_engine()

    def statements() -> int:
        queue_html(client)  # warm-up
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            queue_html(client)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    with store.session() as session:
        feeds = [make_feed(session, f"Feed {n}", f"https://example.org/{n}.xml") for n in range(3)]
        for n in range(6):
            make_item(session, feeds[n % 3], n)
    few = statements()
    with store.session() as session:
        for n in range(6, 60):
            make_item(session, session.get(Feed, feeds[n % 3].id), n, status=ItemStatus.NEW)
    # The session's user, the feeds (the filter's choices; the rows find theirs among them), the page.
    assert statements() == few == 3


def test_a_value_of_the_request_goes_in_escaped_in_place_of_its_marker():
    part = f'<input name="next" value="{kept_html.marker("next")}"> {kept_html.csrf_mark()}'
    assert kept_html.fill(part, "token", {"next": '/q?a=1&b="2"'}) == (
        '<input name="next" value="/q?a=1&amp;b=&#34;2&#34;"> token')
    # Another name's marker is not filled by this one's value.
    assert str(kept_html.marker("other")) in kept_html.fill(str(kept_html.marker("other")), "t", {"next": "x"})


def test_moment_keeps_babels_text(app):
    """moment() keeps each locale's patterns: the same text as babel's own calls, across DST changes."""
    with app.test_request_context("/"):
        for language in ("fr", "en"):
            with force_locale(language):
                locale = templating._date_locale()
                for hours in range(0, 24 * 366, 11):
                    value = datetime(2026, 1, 1, 0, 7, tzinfo=UTC) + timedelta(hours=hours)
                    local = value.astimezone(templating.clock.zone(app.config["TIMEZONE"]))
                    expected = str(babel_dates.get_datetime_format("medium", locale)).format(
                        babel_dates.format_time(local, "short", locale=locale),
                        babel_dates.format_date(local.date(), "medium", locale=locale))
                    assert templating.moment(value) == expected


def test_the_filters_show_what_was_asked_for_and_the_feeds_as_they_are(app, client, curator, items, store):
    assert 'value="solar"' in queue_html(client, "/curation/queue?q=solar")
    assert 'value="wind"' in queue_html(client, "/curation/queue?q=wind")
    assert 'value="solar"' not in queue_html(client, "/curation/queue?q=wind")
    bad = queue_html(client, "/curation/queue?since=2026-01-01&since=nope")  # the field's own error, not a kept one
    assert "has-error" in bad and "has-error" not in queue_html(client, "/curation/queue?since=2026-01-01")
    with store.session() as session:
        session.add(Feed(url="https://example.org/new.xml", title="Brand new feed"))
    assert "Brand new feed" in queue_html(client)
