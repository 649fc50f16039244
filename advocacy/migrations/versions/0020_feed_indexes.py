"""indexes for the personal feed: shares by (user, content), highlights

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 14:05:00

The feed ranks a bounded set of candidates (services/personal_feed.py): the
newest shareable contents and the highlights. "Already shared under my
name" is then one lookup per candidate on (user_id, content_id), instead of
a read of every share of the content; highlights are found by their index.
"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_share_events_user_content', 'share_events', ['user_id', 'content_id'], unique=False)
    op.create_index('ix_contents_highlighted', 'contents', ['highlighted', 'publish_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contents_highlighted', table_name='contents')
    op.drop_index('ix_share_events_user_content', table_name='share_events')
