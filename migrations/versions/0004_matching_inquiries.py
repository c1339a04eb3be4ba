"""matching, notifications, mail, saved searches, inquiries and deals

Revision ID: 0004_matching_inquiries
Revises: 0003_search_outbox
Create Date: 2026-11-26 09:18:02.079366

"""
from alembic import op
import sqlalchemy as sa

import market.database


# revision identifiers, used by Alembic.
revision = '0004_matching_inquiries'
down_revision = '0003_search_outbox'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('sender_enterprise_id', sa.Integer(), nullable=False),
    sa.Column('owner_enterprise_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'quoted', 'agreed', 'closed', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('price_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('quoted_price_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('quoted_quantity', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('closed_at', market.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_inquiries_created_by_id_users')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_inquiries_listing_id_listings')),
    sa.ForeignKeyConstraint(['owner_enterprise_id'], ['enterprises.id'], name=op.f('fk_inquiries_owner_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['sender_enterprise_id'], ['enterprises.id'], name=op.f('fk_inquiries_sender_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries'))
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiries_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_owner_enterprise_id'), ['owner_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_sender_enterprise_id'), ['sender_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_status'), ['status'], unique=False)

    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('wanted_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('notified_at', market.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['listings.id'], name=op.f('fk_matches_offer_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wanted_id'], ['listings.id'], name=op.f('fk_matches_wanted_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches')),
    sa.UniqueConstraint('offer_id', 'wanted_id', name=op.f('uq_matches_offer_id'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_wanted_id'), ['wanted_id'], unique=False)

    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_saved_searches_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_searches_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches'))
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_searches_user_id'), ['user_id'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=True),
    sa.Column('seller_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('buyer_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('unit_price_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total_cny', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_enterprise_id'], ['enterprises.id'], name=op.f('fk_deals_buyer_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_deals_inquiry_id_inquiries')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_deals_listing_id_listings')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_deals_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['seller_enterprise_id'], ['enterprises.id'], name=op.f('fk_deals_seller_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_buyer_enterprise_id'), ['buyer_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_seller_enterprise_id'), ['seller_enterprise_id'], unique=False)

    op.create_table('inquiry_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('message', 'quote', 'agree', 'deal', 'close', name='kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('price_cny', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_inquiry_messages_author_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_inquiry_messages_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_messages_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_messages'))
    )
    with op.batch_alter_table('inquiry_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_messages_inquiry_id'), ['inquiry_id'], unique=False)

    op.create_table('inquiry_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reporter_enterprise_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', market.database.UTCDateTime(), nullable=True),
    sa.Column('resolver_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_reports_inquiry_id_inquiries')),
    sa.ForeignKeyConstraint(['reporter_enterprise_id'], ['enterprises.id'], name=op.f('fk_inquiry_reports_reporter_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_inquiry_reports_reporter_id_users')),
    sa.ForeignKeyConstraint(['resolver_id'], ['users.id'], name=op.f('fk_inquiry_reports_resolver_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_reports'))
    )
    with op.batch_alter_table('inquiry_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_reports_inquiry_id'), ['inquiry_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('match', 'saved_search', 'inquiry_received', 'inquiry_message', 'inquiry_quoted', 'inquiry_agreed', 'inquiry_closed', name='kind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('counterpart_listing_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('inquiry_id', sa.Integer(), nullable=True),
    sa.Column('saved_search_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('read_at', market.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['counterpart_listing_id'], ['listings.id'], name=op.f('fk_notifications_counterpart_listing_id_listings')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_notifications_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_notifications_inquiry_id_inquiries')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_notifications_listing_id_listings')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_notifications_match_id_matches')),
    sa.ForeignKeyConstraint(['saved_search_id'], ['saved_searches.id'], name=op.f('fk_notifications_saved_search_id_saved_searches'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('mail_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'failed', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('created_at', market.database.UTCDateTime(), nullable=False),
    sa.Column('sent_at', market.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_mail_messages_notification_id_notifications'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_messages'))
    )
    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_messages_status'), ['status'], unique=False)

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alerts_muted', sa.Boolean(), nullable=False, server_default=sa.false()))




def downgrade():
    
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('alerts_muted')

    with op.batch_alter_table('mail_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_messages_status'))

    op.drop_table('mail_messages')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
    with op.batch_alter_table('inquiry_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_reports_inquiry_id'))

    op.drop_table('inquiry_reports')
    with op.batch_alter_table('inquiry_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_messages_inquiry_id'))

    op.drop_table('inquiry_messages')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_seller_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_deals_listing_id'))
        batch_op.drop_index(batch_op.f('ix_deals_created_at'))
        batch_op.drop_index(batch_op.f('ix_deals_buyer_enterprise_id'))

    op.drop_table('deals')
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_searches_user_id'))
        batch_op.drop_index(batch_op.f('ix_saved_searches_enterprise_id'))

    op.drop_table('saved_searches')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_wanted_id'))
        batch_op.drop_index(batch_op.f('ix_matches_offer_id'))

    op.drop_table('matches')
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_status'))
        batch_op.drop_index(batch_op.f('ix_inquiries_sender_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inquiries_owner_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inquiries_listing_id'))

    op.drop_table('inquiries')

