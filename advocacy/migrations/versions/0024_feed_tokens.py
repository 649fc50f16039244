"""reader feeds: the private link to an ambassador's suggestions as Atom

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 18:00:00

reader_feed_tokens holds, per person, the SHA-256 of the random token in
their private Atom feed's address (one link a person; a new one replaces it).
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reader_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reader_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reader_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_reader_feed_tokens_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_reader_feed_tokens_user_id'))
    )


def downgrade() -> None:
    op.drop_table('reader_feed_tokens')
