"""password resets: hashed, single-use links sent by e-mail

Revision ID: 0006_password_resets
Revises: 0005_matching_index
Create Date: 2026-11-26 10:05:38.866356

"""
from alembic import op
import sqlalchemy as sa

import market.database


# revision identifiers, used by Alembic.
revision = '0006_password_resets'
down_revision = '0005_matching_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('used_at', market.database.UTCDateTime(), nullable=True),
    sa.Column('requested_ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))

    op.drop_table('password_resets')
