"""images served by Relais: the images table, and each item's and content's copy

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 13:30:00

Images stored before this revision are addresses on the publishers' hosts;
pages no longer show those, only copies. Nothing is fetched here (a
migration must not depend on the network): every item with an image address
starts unchecked, and the feed refresh copies them, newest first, a few per
feed and refresh (services/images.py); content made from an item gets
the copy of its address with it, and a curator saving content copies its
image at once.
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('images',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_images'))
    )
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('image_checked_at', advocacy.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feed_items_image_sha256_images'), 'images', ['image_sha256'],
                                    ['sha256'], ondelete='SET NULL')
    with op.batch_alter_table('contents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_sha256', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contents_image_sha256_images'), 'images', ['image_sha256'],
                                    ['sha256'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('contents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contents_image_sha256_images'), type_='foreignkey')
        batch_op.drop_column('image_sha256')
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feed_items_image_sha256_images'), type_='foreignkey')
        batch_op.drop_column('image_checked_at')
        batch_op.drop_column('image_sha256')
    op.drop_table('images')
