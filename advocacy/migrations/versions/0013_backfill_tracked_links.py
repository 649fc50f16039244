"""backfill the tracked links of content made before links were made with it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 12:00:00

Links used to be made by an insert listener, and lazily by the share panel
for content older than the listener, so content that nobody shared then may
lack some. They are now made only with the content
(services/tracked_links.py), and the panel only reads: this fills the gaps,
one link per content and network, with codes made as the app makes them.
Running it again adds nothing: only missing (content, network) pairs are
inserted.
"""
import secrets
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The networks as of this revision (a migration is a snapshot: it must do
# the same thing whatever the app's list becomes). A network added later
# brings its own backfill.
NETWORKS = ("x", "bluesky", "mastodon", "linkedin", "whatsapp", "email")
CODE_BYTES = 6  # as services/tracked_links.py: 8 URL-safe characters
CHUNK = 1_000

contents = sa.table("contents", sa.column("id", sa.Integer))
tracked_links = sa.table(
    "tracked_links", sa.column("content_id", sa.Integer), sa.column("network", sa.String),
    sa.column("code", sa.String), sa.column("created_at", advocacy.models.base.UTCDateTime(timezone=True)))


def upgrade() -> None:
    connection = op.get_bind()
    existing = set(connection.execute(sa.select(tracked_links.c.content_id, tracked_links.c.network)))
    now = datetime.now(UTC)
    missing = [
        {"content_id": content_id, "network": network, "code": secrets.token_urlsafe(CODE_BYTES), "created_at": now}
        for content_id in connection.scalars(sa.select(contents.c.id).order_by(contents.c.id))
        for network in NETWORKS if (content_id, network) not in existing
    ]
    for start in range(0, len(missing), CHUNK):
        connection.execute(tracked_links.insert(), missing[start:start + CHUNK])


def downgrade() -> None:
    # The links are valid data for the previous revision too, and may have
    # been clicked since: nothing to undo.
    pass
