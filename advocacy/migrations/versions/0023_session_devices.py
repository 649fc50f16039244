"""signed-in devices: persistent sessions with a device label; e-mailed sign-in links

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 15:20:00

user_sessions gains ``persistent`` ("keep me signed in on this device":
REMEMBER_DAYS unused before it ends, instead of SESSION_IDLE_DAYS) and
``device``, a short label such as "Firefox · Android" for the person's list
of devices. Sessions already open are neither: they show no label and end
as before. sign_in_links holds the hash of each e-mailed one-time link.
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('user_sessions', sa.Column('persistent', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('user_sessions', sa.Column('device', sa.String(length=60), server_default='', nullable=False))
    op.create_table('sign_in_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_links_token_hash'))
    )
    op.create_index(op.f('ix_sign_in_links_user_id'), 'sign_in_links', ['user_id'], unique=False)
    op.create_index(op.f('ix_sign_in_links_expires_at'), 'sign_in_links', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_links_expires_at'), table_name='sign_in_links')
    op.drop_index(op.f('ix_sign_in_links_user_id'), table_name='sign_in_links')
    op.drop_table('sign_in_links')
    # SQLite (3.35+) drops a plain column in place: no table rebuild needed.
    op.drop_column('user_sessions', 'device')
    op.drop_column('user_sessions', 'persistent')
