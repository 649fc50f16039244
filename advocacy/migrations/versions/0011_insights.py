"""insights: daily roll-ups and the indexes that read by date range

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-22 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('insight_network_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('previews', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'network', name=op.f('pk_insight_network_days'))
    )
    op.create_table('insight_content_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('previews', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['contents.id'], name=op.f('fk_insight_content_days_content_id_contents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'content_id', name=op.f('pk_insight_content_days'))
    )
    with op.batch_alter_table('insight_content_days', schema=None) as batch_op:
        batch_op.create_index('ix_insight_content_days_day', ['day', 'content_id', 'shares', 'clicks', 'previews'], unique=False)
    op.create_table('insight_watermarks',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('through_day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_insight_watermarks'))
    )
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.create_index('ix_share_events_day_user', ['day', 'user_id'], unique=False)
    with op.batch_alter_table('click_counts', schema=None) as batch_op:
        batch_op.create_index('ix_click_counts_day', ['day', 'link_id', 'clicks', 'previews'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('click_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_click_counts_day')
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.drop_index('ix_share_events_day_user')
    op.drop_table('insight_watermarks')
    with op.batch_alter_table('insight_content_days', schema=None) as batch_op:
        batch_op.drop_index('ix_insight_content_days_day')
    op.drop_table('insight_content_days')
    op.drop_table('insight_network_days')
