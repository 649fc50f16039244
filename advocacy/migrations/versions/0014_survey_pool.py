"""survey answers wait sealed, then are counted in one batch

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 13:30:00

Answers no longer reach survey_responses in the participation's transaction:
they wait sealed in survey_pending_responses and are counted in one
shuffled batch once the survey is over (services/survey_pool.py). A
response keeps the day its batch was counted (counted_on), not the day it
arrived: responses already stored keep the day they have.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_pending_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_pending_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_pending_responses')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_pending_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_pending_responses_survey_id'), ['survey_id'], unique=False)
    # A plain rename (SQLite has ALTER TABLE RENAME COLUMN): a batch copy
    # would rebuild survey_responses without its WITHOUT ROWID.
    op.alter_column('survey_responses', 'submitted_on', new_column_name='counted_on')


def downgrade() -> None:
    op.alter_column('survey_responses', 'counted_on', new_column_name='submitted_on')
    with op.batch_alter_table('survey_pending_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_pending_responses_survey_id'))
    op.drop_table('survey_pending_responses')
