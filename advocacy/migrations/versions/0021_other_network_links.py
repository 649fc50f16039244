"""backfill the "other" tracked link (the device's share sheet) of existing content

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 15:20:00

The feed and the share panel offer the system share sheet (Web Share API),
which shares a tracked link of its own, network "other"
(services/networks.py SHARE_SHEET). New content gets it from
create_content; this gives one to every content stored before. Running it
again adds nothing: only contents without an "other" link get one.
"""
import secrets
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

NETWORK = "other"  # a snapshot, as in 0013: whatever the app's list becomes
CODE_BYTES = 6  # as services/tracked_links.py: 8 URL-safe characters
CHUNK = 1_000

contents = sa.table("contents", sa.column("id", sa.Integer))
tracked_links = sa.table(
    "tracked_links", sa.column("content_id", sa.Integer), sa.column("network", sa.String),
    sa.column("code", sa.String), sa.column("created_at", advocacy.models.base.UTCDateTime(timezone=True)))


def upgrade() -> None:
    connection = op.get_bind()
    has_link = sa.exists().where(tracked_links.c.content_id == contents.c.id, tracked_links.c.network == NETWORK)
    now = datetime.now(UTC)
    missing = [
        {"content_id": content_id, "network": NETWORK, "code": secrets.token_urlsafe(CODE_BYTES), "created_at": now}
        for content_id in connection.scalars(sa.select(contents.c.id).where(~has_link).order_by(contents.c.id))
    ]
    for start in range(0, len(missing), CHUNK):
        connection.execute(tracked_links.insert(), missing[start:start + CHUNK])


def downgrade() -> None:
    # The links may have been clicked since (clicks refer to them), and an
    # older app simply ignores a network it does not know: nothing to undo.
    pass
