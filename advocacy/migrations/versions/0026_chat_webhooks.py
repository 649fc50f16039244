"""chat webhooks: the team's chat (Slack, Teams Workflows, Mattermost) and deliveries

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 18:30:00

chat_webhooks holds each webhook's platform, name, encrypted address and a
hint of it (host and last 4 characters); chat_deliveries one highlight to
post through one webhook, with its attempts and next try. No person in either.
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.Enum('slack', 'teams', 'mattermost', name='chat_platform', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('url_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('url_hint', sa.String(length=300), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_webhooks'))
    )
    op.create_table('chat_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'cancelled', name='chat_delivery_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=40), nullable=True),
    sa.Column('last_error_detail', sa.String(length=200), nullable=True),
    sa.Column('last_attempt_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['contents.id'], name=op.f('fk_chat_deliveries_content_id_contents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['webhook_id'], ['chat_webhooks.id'], name=op.f('fk_chat_deliveries_webhook_id_chat_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_deliveries')),
    sa.UniqueConstraint('webhook_id', 'content_id', name=op.f('uq_chat_deliveries_webhook_id_content_id'))
    )
    op.create_index('ix_chat_deliveries_due', 'chat_deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_chat_deliveries_content_id'), 'chat_deliveries', ['content_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_chat_deliveries_content_id'), table_name='chat_deliveries')
    op.drop_index('ix_chat_deliveries_due', table_name='chat_deliveries')
    op.drop_table('chat_deliveries')
    op.drop_table('chat_webhooks')
