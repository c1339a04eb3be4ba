"""search outbox

Revision ID: 0003_search_outbox
Revises: 0002_listings
Create Date: 2026-11-26 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import market.database


# revision identifiers, used by Alembic.
revision = '0003_search_outbox'
down_revision = '0002_listings'
branch_labels = None
depends_on = None


def upgrade():
    # No foreign key to listings: a deleted listing's row must survive to remove
    # its document from the index.
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_listing_id'), ['listing_id'], unique=False)


def downgrade():
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_listing_id'))

    op.drop_table('search_outbox')
