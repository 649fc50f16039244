"""The migrations build exactly the schema the models describe, and fill in the data they promise."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from advocacy import migrate
from advocacy.db import get_engine
from advocacy.models import Base, Content, TrackedLink


def test_migrations_match_models(app):
    with app.app_context(), get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_repeatable(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_the_backfill_gives_older_content_its_links_once(app):
    """Content stored before links were made with it (at 0012) gets one link per network, and only once."""
    migrate.downgrade(app, "0012")
    with app.app_context(), get_engine().begin() as connection:
        content_ids = [connection.execute(insert(Content.__table__).values(
            slug=f"old-{n}", title=f"Old {n}", target_url=f"https://example.org/old-{n}")).inserted_primary_key[0]
            for n in range(2)]
        # One of them had its panel opened once: its X link exists and must be kept.
        connection.execute(insert(TrackedLink.__table__).values(content_id=content_ids[0], network="x",
                                                                code="kept-x00"))
    migrate.upgrade(app, "0013")
    links = stored_links(app)
    networks = ["x", "bluesky", "mastodon", "linkedin", "whatsapp", "email"]  # those of 0013's time
    assert sorted(links) == sorted((c, n) for c in content_ids for n in networks)
    assert links[(content_ids[0], "x")] == "kept-x00"
    codes = [code for key, code in links.items() if key != (content_ids[0], "x")]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"[A-Za-z0-9_-]{8}", code) for code in codes)

    migrate.downgrade(app, "0012")  # and through the backfill again: nothing changes
    migrate.upgrade(app, "0013")
    assert stored_links(app) == links
    migrate.upgrade(app)


def test_older_content_gets_its_share_sheet_link_once(app):
    """Content stored before the share sheet's "other" link (at 0020) gets one, and only once."""
    migrate.downgrade(app, "0020")
    with app.app_context(), get_engine().begin() as connection:
        content_ids = [connection.execute(insert(Content.__table__).values(
            slug=f"old-{n}", title=f"Old {n}", target_url=f"https://example.org/old-{n}")).inserted_primary_key[0]
            for n in range(3)]
        connection.execute(insert(TrackedLink.__table__).values(
            content_id=content_ids[0], network="x", code="kept-x00"))
        connection.execute(insert(TrackedLink.__table__).values(
            content_id=content_ids[1], network="other", code="kept-ot0"))
    migrate.upgrade(app)
    links = stored_links(app)
    assert {c for c, n in links if n == "other"} == set(content_ids)
    assert links[(content_ids[0], "x")] == "kept-x00" and links[(content_ids[1], "other")] == "kept-ot0"
    codes = list(links.values())
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"[A-Za-z0-9_-]{8}", code) for code in codes)

    migrate.downgrade(app, "0020")  # the links stay (they may have been clicked), and are not doubled
    migrate.upgrade(app)
    assert stored_links(app) == links


def stored_links(app) -> dict[tuple[int, str], str]:
    with app.app_context(), get_engine().connect() as connection:
        return {(c, n): code for c, n, code in connection.execute(
            select(TrackedLink.content_id, TrackedLink.network, TrackedLink.code))}
