"""names per language: a topic's French and English names, an invitation's language

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 14:00:00

Topics had one name, shown to every reader. It becomes both the French and
the English name, so that every page reads as before; curators then give
the other language its own words (each name falls back on the other one
while it is empty). Going back keeps the French name, else the English one.

An invitation now carries the invitee's language, chosen by the admin;
earlier invitations have none and keep being written as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_fr', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('name_en', sa.String(length=80), nullable=True))
    op.execute("UPDATE topics SET name_fr = name, name_en = name")
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_topics_name'), type_='unique')
        batch_op.drop_column('name')
        batch_op.create_unique_constraint(batch_op.f('uq_topics_name_fr'), ['name_fr'])
        batch_op.create_unique_constraint(batch_op.f('uq_topics_name_en'), ['name_en'])


def downgrade() -> None:
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=80), nullable=True))
    # A French name may equal another topic's English one: the id keeps them apart.
    op.execute("UPDATE topics SET name = COALESCE(name_fr, name_en)")
    op.execute("UPDATE topics SET name = name || ' (' || id || ')' WHERE name IN "
               "(SELECT name FROM topics GROUP BY name HAVING COUNT(*) > 1)")
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_topics_name_en'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_topics_name_fr'), type_='unique')
        batch_op.drop_column('name_en')
        batch_op.drop_column('name_fr')
        batch_op.alter_column('name', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_topics_name'), ['name'])
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('language')
