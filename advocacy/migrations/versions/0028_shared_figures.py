"""shared figures: the network's milestones computed by a job, read as one row by the home page

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 19:00:00

Until the job's first run the table is empty and the home page shows no
milestones (services/milestones.py); nothing existing moves.
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shared_figures',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('sharers', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('computed_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_shared_figures'))
    )


def downgrade() -> None:
    op.drop_table('shared_figures')
