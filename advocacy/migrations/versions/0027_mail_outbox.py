"""mail outbox: every e-mail queued in the transaction that causes it, sent by a job

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 18:00:00

mail_outbox holds each e-mail from the moment it is caused until it leaves
(status, attempts, next try, the class of the last error); the rendered
message is dropped once sent. Nothing existing moves: mail sent before this
revision was never stored.
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('message', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='mail_status', native_enum=False,
                                create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    op.create_index('ix_mail_outbox_status_next_attempt_at', 'mail_outbox', ['status', 'next_attempt_at'],
                    unique=False)
    op.create_index(op.f('ix_mail_outbox_user_id'), 'mail_outbox', ['user_id'], unique=False)
    op.create_index(op.f('ix_mail_outbox_recipient'), 'mail_outbox', ['recipient'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mail_outbox_recipient'), table_name='mail_outbox')
    op.drop_index(op.f('ix_mail_outbox_user_id'), table_name='mail_outbox')
    op.drop_index('ix_mail_outbox_status_next_attempt_at', table_name='mail_outbox')
    op.drop_table('mail_outbox')
