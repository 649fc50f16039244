"""feed items with a GUID and a link are known by both

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 13:30:00

An entry's de-duplication key was its GUID alone ("guid:…"), so a publisher
that gave one GUID to several articles saw all but one merged away. The
key is now the GUID and the link ("guid+link:<guid>\\n<link>", content_feeds'
parse._dedupe_key), and the items already stored get that key here, so the
next refresh finds them instead of adding them again. Items without a link
keep "guid:…". The unique constraint stays (feed_id, dedupe_key).

Downgrade gives the GUID key back to the first item of each GUID in a feed;
the others (kept apart since) keep their key, as the old code never makes
it: they stay, and are not updated by their feed any more.
"""
import hashlib

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# As content_feeds/parse.py at this revision (a migration is a snapshot).
MAX_KEY = 255
CHUNK = 1_000

feed_items = sa.table(
    "feed_items", sa.column("id", sa.Integer), sa.column("feed_id", sa.Integer),
    sa.column("dedupe_key", sa.String), sa.column("guid", sa.Text), sa.column("link", sa.String))


def capped_key(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    if len(key) <= MAX_KEY:
        return key
    return f"{kind}-sha256:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def _rekey(connection, kinds: tuple[str, ...], new_key) -> None:
    rows = connection.execute(
        sa.select(feed_items.c.id, feed_items.c.feed_id, feed_items.c.dedupe_key, feed_items.c.guid,
                  feed_items.c.link)
        .where(feed_items.c.guid.is_not(None), feed_items.c.link.is_not(None),
               sa.or_(*(feed_items.c.dedupe_key.startswith(f"{kind}:") for kind in kinds),
                      *(feed_items.c.dedupe_key.startswith(f"{kind}-sha256:") for kind in kinds)))
        .order_by(feed_items.c.id)
    ).all()
    taken = {(feed_id, key) for feed_id, key in connection.execute(
        sa.select(feed_items.c.feed_id, feed_items.c.dedupe_key))}
    changes = []
    for row in rows:
        key = new_key(row.guid, row.link)
        if key == row.dedupe_key or (row.feed_id, key) in taken:
            continue
        taken.add((row.feed_id, key))
        changes.append({"item_id": row.id, "new_key": key})
    statement = (feed_items.update().where(feed_items.c.id == sa.bindparam("item_id"))
                 .values(dedupe_key=sa.bindparam("new_key")))
    for start in range(0, len(changes), CHUNK):
        connection.execute(statement, changes[start:start + CHUNK])


def upgrade() -> None:
    _rekey(op.get_bind(), ("guid",), lambda guid, link: capped_key("guid+link", f"{guid}\n{link}"))


def downgrade() -> None:
    _rekey(op.get_bind(), ("guid+link",), lambda guid, link: capped_key("guid", guid))
