"""`advocacy demo-data`: a generated data set, consistent, on an empty program only, and writable after."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from advocacy.db import get_session
from advocacy.models import (
    AmbassadorProfile,
    ClickCount,
    ConsentRecord,
    ConsentText,
    Content,
    Purpose,
    Role,
    ShareEvent,
    ShareText,
    TrackedLink,
    User,
)
from advocacy.services import accounts, clock, consent, contents, sharing
from advocacy.services.demo_data import Sizes, generate
from advocacy.services.networks import LINK_NETWORKS, NETWORKS

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
SMALL = ["--ambassadors", "30", "--contents", "40", "--shares", "600", "--days", "45",
         "--password", "demo-password-1"]
LOADED_TABLES = ("users", "consent_records", "feed_items", "contents", "share_texts", "tracked_links",
                 "share_events")


def load(runner, *extra):
    result = runner.invoke(args=["demo-data", *SMALL, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_prints_what_it_made_and_how_long(app, runner, db):
    output = load(runner)
    assert "Generated in" in output and " s " in output
    assert "share_events" in output and "600" in output
    assert "demo-password-1" in output
    assert db.scalar(select(func.count(User.id)).where(User.role == Role.AMBASSADOR)) == 30
    assert db.scalar(select(func.count(AmbassadorProfile.user_id))) == 30
    assert db.scalar(select(func.count(Content.id))) == 40
    assert db.scalar(select(func.count(ShareEvent.id))) == 600
    assert db.scalar(select(func.count()).select_from(ClickCount)) > 0


def test_the_data_is_consistent(app, runner, db):
    load(runner)
    today = clock.utc_today()
    published = {c.id: c.publish_at for c in db.scalars(select(Content))}
    for share in db.scalars(select(ShareEvent)):
        assert share.content_id in published  # its content exists
        assert published[share.content_id].date() <= share.day <= today
        assert share.day >= today - timedelta(days=44)
        assert share.network in LINK_NETWORKS
    assert max(published.values()) <= clock.now()
    # Attributed shares only for people whose share-attribution consent is in force.
    attributed = set(db.scalars(select(ShareEvent.user_id).where(ShareEvent.user_id.is_not(None))))
    assert attributed
    for user_id in attributed:
        assert consent.has_consent(db, user_id, Purpose.SHARE_ATTRIBUTION)
    ambassadors = list(db.scalars(select(User.id).where(User.role == Role.AMBASSADOR)))
    without = [u for u in ambassadors if not consent.has_consent(db, u, Purpose.SHARE_ATTRIBUTION)]
    assert without, "some people did not consent: their shares are counted, never named"
    assert all(consent.has_consent(db, u, Purpose.MEMBERSHIP) for u in ambassadors)
    # Consent records name the text the person read: its version and digest, in their language.
    texts = {(t.purpose, t.version, t.sha256, t.language) for t in db.scalars(select(ConsentText))}
    languages = dict(db.execute(select(User.id, User.language)).all())
    purposes = Counter()
    for record in db.scalars(select(ConsentRecord)):
        assert record.language == languages[record.user_id]
        assert (record.purpose, record.text_version, record.text_sha256, record.language) in texts
        purposes[record.purpose] += 1
    assert purposes[Purpose.MEMBERSHIP] == 30
    assert 0 < purposes[Purpose.DIGEST] < 30 and 0 < purposes[Purpose.NAMED_THANKS] < 30
    # Every content: a tracked link per link network (the share sheet too), a wording per network.
    links = Counter(db.execute(select(TrackedLink.content_id, TrackedLink.network)).all())
    wordings = Counter(db.execute(select(ShareText.content_id, ShareText.network)).all())
    for content_id in published:
        assert all(links[(content_id, network)] == 1 for network in LINK_NETWORKS)
        assert all(wordings[(content_id, network)] == 1 for network in NETWORKS)
    # Clicks only on or after the content's day, on links that exist.
    link_content = dict(db.execute(select(TrackedLink.id, TrackedLink.content_id)).all())
    for click in db.scalars(select(ClickCount)):
        assert published[link_content[click.link_id]].date() <= click.day <= today


def test_highlights_follow_the_curation_rule(app, runner, db):
    """At most MAX_HIGHLIGHTS visible at any moment (the generator once marked 2 % of all contents)."""
    load(runner)
    now = clock.now()
    highlighted = list(db.scalars(select(Content).where(Content.highlighted.is_(True))))
    assert 1 <= len(highlighted) <= contents.MAX_HIGHLIGHTS
    assert all(c.expires_at is None and now - timedelta(days=7) < c.publish_at <= now for c in highlighted)
    # A curator asking for one more highlight now meets the ones generated: the rule is full or nearly.
    assert len(contents.highlight_conflicts(db, now, None, now)) == len(highlighted)


def test_refuses_a_program_with_ambassadors_and_writes_nothing(app, runner, auth, db):
    auth.create_user(Role.AMBASSADOR, email="real@example.org")
    result = runner.invoke(args=["demo-data", *SMALL])
    assert result.exit_code != 0
    assert "already holds ambassadors (1)" in result.output and "new database" in result.output
    db.expire_all()
    assert list(db.scalars(select(User.email).where(User.role == Role.AMBASSADOR))) == ["real@example.org"]
    assert db.scalar(select(func.count(Content.id))) == 0
    assert db.scalar(select(func.count(ShareEvent.id))) == 0


def test_refuses_a_second_load(app, runner, db):
    load(runner)
    again = runner.invoke(args=["demo-data", *SMALL])
    assert again.exit_code != 0 and "ambassadors (30) or contents (40)" in again.output
    assert db.scalar(select(func.count(ShareEvent.id))) == 600


def test_refuses_sizes_that_make_no_data_set(app, runner, db):
    result = runner.invoke(args=["demo-data", "--ambassadors", "0", "--contents", "5", "--shares", "5"])
    assert result.exit_code != 0 and "at least one ambassador" in result.output
    assert db.scalar(select(func.count(User.id))) == 0


def test_the_app_goes_on_writing_after_it(app, runner, db, auth):
    """On PostgreSQL this is the sequences' test: COPY with explicit ids does not move them."""
    load(runner)
    now = clock.now()
    user = accounts.create_user(db, email="new@example.org", name="New", password="new-password",
                                role=Role.AMBASSADOR)
    content = contents.create_content(db, contents.ContentDraft(
        title="Written after", target_url="https://example.org/after", publish_at=now), None, now)
    db.flush()
    share = sharing.record_share(db, user, content.id, "linkedin", now)
    db.commit()
    assert user.id > 30 and content.id > 40 and share.event.id > 600
    assert db.scalar(select(func.count(TrackedLink.id)).where(TrackedLink.content_id == content.id)) == \
        len(LINK_NETWORKS)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="sequences are PostgreSQL's")
def test_every_sequence_is_past_the_loaded_ids(app, runner, db):
    load(runner)
    for table in LOADED_TABLES:
        sequence = db.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        largest = db.scalar(text(f"SELECT max(id) FROM {table}"))
        assert db.scalar(text("SELECT nextval(:s)"), {"s": sequence}) > largest, table


def test_the_planner_has_statistics_of_what_was_loaded(app, runner, db):
    """Without them (autovacuum off, or not yet run) the digest's recipients took seconds per batch."""
    load(runner)
    if TEST_DATABASE_URL:
        analysed = db.scalars(text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"))
    else:
        analysed = db.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1"))
    assert set(LOADED_TABLES) <= set(analysed)


def test_pages_answer_after_it(app, runner, client, auth):
    load(runner)
    with app.app_context():
        session = get_session()
        email = session.scalar(select(User.email).where(User.role == Role.AMBASSADOR).order_by(User.id))
        content_id = session.scalar(select(func.max(Content.id)))
    assert auth.login(email, "demo-password-1").status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/me/profile").status_code == 200
    assert client.get(f"/content/{content_id}/share").status_code == 200
    auth.logout()
    auth.login_as(Role.CURATOR)
    assert client.get("/insights/").status_code == 200
    assert client.get("/insights/export.csv").status_code == 200


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="two databases at once: SQLite only")
def test_same_seed_same_data(build_app, tmp_path, migrated_database):
    import shutil

    def shares(name: str, seed: int):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(migrated_database, path)
        application = build_app(f"sqlite:///{path}")
        with application.app_context():
            session = get_session()
            generate(session, Sizes(5, 8, 50, 10), now=now, password_hash="x", seed=seed)
            return session.execute(select(ShareEvent.content_id, ShareEvent.network, ShareEvent.day,
                                          ShareEvent.user_id).order_by(ShareEvent.id)).all()

    now = clock.now()
    assert shares("a", 3) == shares("b", 3)
    assert shares("c", 3) != shares("d", 4)
