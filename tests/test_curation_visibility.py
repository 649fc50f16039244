"""Status is derived from the times at query time: nothing has to run."""

from datetime import timedelta

from sqlalchemy import select

from advocacy.models import Content, utcnow
from advocacy.services import contents
from curation_helpers import T0, store  # noqa: F401


def add(session, title, publish_at, expires_at=None, highlighted=False, archived=False) -> Content:
    content = Content(slug=title.lower(), title=title, target_url="https://example.org/" + title,
                      publish_at=publish_at, expires_at=expires_at, highlighted=highlighted,
                      archived_at=T0 if archived else None)
    session.add(content)
    session.flush()
    return content


def visible_titles(session, now) -> set[str]:
    return set(session.scalars(select(Content.title).where(contents.visible_to_ambassadors(now))))


def test_scheduled_content_is_invisible_until_its_time_and_expired_content_gone_after(store):
    with store.session() as session:
        add(session, "scheduled", T0 + timedelta(hours=1), T0 + timedelta(hours=5))
        add(session, "live", T0 - timedelta(days=1))
        add(session, "draft", None)
        add(session, "archived", T0 - timedelta(days=1), archived=True)
    with store.session() as session:
        assert visible_titles(session, T0) == {"live"}
        assert visible_titles(session, T0 + timedelta(hours=1) - timedelta(microseconds=1)) == {"live"}
        assert visible_titles(session, T0 + timedelta(hours=1)) == {"live", "scheduled"}
        assert visible_titles(session, T0 + timedelta(hours=5) - timedelta(seconds=1)) == {"live", "scheduled"}
        assert visible_titles(session, T0 + timedelta(hours=5)) == {"live"}


def test_status_of_and_status_clause_agree(store):
    moments = [T0 - timedelta(days=2), T0, T0 + timedelta(hours=3), T0 + timedelta(days=3)]
    with store.session() as session:
        add(session, "a", T0 + timedelta(hours=1), T0 + timedelta(days=1))
        add(session, "b", None)
        add(session, "c", T0 - timedelta(days=1), archived=True)
        add(session, "d", T0 - timedelta(days=1))
    with store.session() as session:
        everything = session.scalars(select(Content)).all()
        for now in moments:
            for status in contents.Status:
                by_sql = set(session.scalars(select(Content.title).where(contents.status_clause(status, now))))
                by_python = {c.title for c in everything if contents.status_of(c, now) == status}
                assert by_sql == by_python, (now, status)


def test_highlight_slots_are_counted_over_time(store):
    week = timedelta(days=7)
    with store.session() as session:
        for n in range(3):
            add(session, f"this-week-{n}", T0 - timedelta(days=1), T0 + week, highlighted=True)
        add(session, "expired", T0 - 2 * week, T0 - week, highlighted=True)
        add(session, "archived", T0 - timedelta(days=1), highlighted=True, archived=True)
        add(session, "draft", None, highlighted=True)
    with store.session() as session:
        # Now: the three of this week hold every slot.
        assert len(contents.highlight_conflicts(session, T0, None, T0)) == 3
        # Next week, once they have expired: free (expired, archived and drafts hold none).
        assert contents.highlight_conflicts(session, T0 + week, T0 + 2 * week, T0) == []
        # A window that starts before they expire overlaps them.
        assert len(contents.highlight_conflicts(session, T0 + week - timedelta(hours=1), None, T0)) == 3


def test_current_highlights_lists_visible_ones(store):
    with store.session() as session:
        add(session, "on", T0 - timedelta(days=1), highlighted=True)
        add(session, "later", utcnow() + timedelta(days=30), highlighted=True)
    with store.session() as session:
        assert [c.title for c in contents.current_highlights(session, utcnow())] == ["on"]
