"""onboarding: when an ambassador finished the guided first steps

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 15:20:00

A profile is made when the charter is accepted (step 2 of 4); the guided
steps that follow (consents, "about you") end by setting onboarded_at. Every
profile that exists before this revision belongs to someone already past the
charter and the consents: they count as onboarded since they joined.
"""
import sqlalchemy as sa
from alembic import op

import advocacy.models.base

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ambassador_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onboarded_at', advocacy.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE ambassador_profiles SET onboarded_at = joined_at WHERE onboarded_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('ambassador_profiles', schema=None) as batch_op:
        batch_op.drop_column('onboarded_at')
