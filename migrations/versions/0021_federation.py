"""Webmention and ActivityPub: mentions received and sent, the blog's fediverse actor, its
followers, activities and deliveries, remote replies' sources and remote likes and reposts

Revision ID: 0021_federation
Revises: 0020_spam_defence
"""
import sqlalchemy as sa
from alembic import op

import core.dbtypes

revision = '0021_federation'
down_revision = '0020_spam_defence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ap_actor_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_actor_keys')),
    sa.UniqueConstraint('actor', name=op.f('uq_ap_actor_keys_actor'))
    )
    op.create_table('ap_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature_hash', sa.String(length=64), nullable=False),
    sa.Column('activity_uri', sa.String(length=500), nullable=False),
    sa.Column('actor_uri', sa.String(length=500), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.String(length=255), nullable=False),
    sa.Column('received_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'done', 'ignored', 'refused', 'failed')", name=op.f('ck_ap_inbound_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_inbound')),
    sa.UniqueConstraint('signature_hash', name=op.f('uq_ap_inbound_signature_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('ap_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_inbound_activity_uri'), ['activity_uri'], unique=False)
        batch_op.create_index('ix_ap_inbound_due', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ap_inbound_received_at'), ['received_at'], unique=False)

    op.create_table('ap_inbox_hosts',
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('signature_scheme', sa.String(length=10), nullable=False),
    sa.Column('updated_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('host', name=op.f('pk_ap_inbox_hosts'))
    )
    op.create_table('ap_remote_actors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uri', sa.String(length=500), nullable=False),
    sa.Column('key_id', sa.String(length=500), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('shared_inbox', sa.String(length=500), nullable=True),
    sa.Column('handle', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=245), nullable=False),
    sa.Column('profile_url', sa.String(length=500), nullable=False),
    sa.Column('avatar_url', sa.String(length=500), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('fetched_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_remote_actors')),
    sa.UniqueConstraint('uri', name=op.f('uq_ap_remote_actors_uri'))
    )
    with op.batch_alter_table('ap_remote_actors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_remote_actors_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_ap_remote_actors_key_id'), ['key_id'], unique=False)

    op.create_table('ap_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remote_actor_id', sa.Integer(), nullable=False),
    sa.Column('follow_activity_id', sa.String(length=500), nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['remote_actor_id'], ['ap_remote_actors.id'], name=op.f('fk_ap_followers_remote_actor_id_ap_remote_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_followers')),
    sa.UniqueConstraint('remote_actor_id', name=op.f('uq_ap_followers_remote_actor_id'))
    )
    op.create_table('ap_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_ap_activities_post_id_posts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_activities')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('ap_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_activities_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index('ix_ap_activities_outbox', ['public', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ap_activities_post_id'), ['post_id'], unique=False)

    op.create_table('remote_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('protocol', sa.String(length=12), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('activity_id', sa.String(length=500), nullable=True),
    sa.Column('author_name', sa.String(length=245), nullable=False),
    sa.Column('author_url', sa.String(length=500), nullable=False),
    sa.Column('author_photo', sa.String(length=500), nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('like', 'repost')", name=op.f('ck_remote_reactions_kind')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_remote_reactions_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_reactions')),
    sa.UniqueConstraint('post_id', 'kind', 'source_url', name=op.f('uq_remote_reactions_post_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('remote_reactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_reactions_activity_id'), ['activity_id'], unique=False)

    op.create_table('webmentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=10), server_default='', nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('endpoint', sa.String(length=500), server_default='', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('sender_ip', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('received', 'sent')", name=op.f('ck_webmentions_direction')),
    sa.CheckConstraint("status IN ('queued', 'accepted', 'rejected', 'deleted', 'sent', 'failed', 'no_endpoint')", name=op.f('ck_webmentions_status')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_webmentions_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webmentions')),
    sa.UniqueConstraint('direction', 'source', 'target', name=op.f('uq_webmentions_direction')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('webmentions', schema=None) as batch_op:
        batch_op.create_index('ix_webmentions_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_webmentions_post', ['post_id', 'direction'], unique=False)

    op.create_table('ap_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'delivered', 'failed')", name=op.f('ck_ap_deliveries_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['ap_activities.id'], name=op.f('fk_ap_deliveries_activity_id_ap_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ap_deliveries')),
    sa.UniqueConstraint('activity_id', 'inbox', name=op.f('uq_ap_deliveries_activity_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('ap_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_ap_deliveries_due', ['status', 'next_attempt_at'], unique=False)

    # Plain ALTER TABLE ADD COLUMN, never a batch: a batch rebuilds SQLite's table, which loses
    # AUTOINCREMENT and (for posts) the search and listing triggers.
    op.add_column('comments', sa.Column('source_url', sa.String(length=500), nullable=True))
    op.add_column('comments', sa.Column('author_handle', sa.String(length=255), nullable=True))
    op.create_index('ix_comments_source_url', 'comments', ['source_url'], unique=False,
                    sqlite_where=sa.text('source_url IS NOT NULL'), postgresql_where=sa.text('source_url IS NOT NULL'))
    op.add_column('posts', sa.Column('reaction_count', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    # ALTER TABLE DROP COLUMN (SQLite 3.35 or later), not a batch's rebuild.
    op.drop_column('posts', 'reaction_count')
    op.drop_index('ix_comments_source_url', 'comments')
    op.drop_column('comments', 'author_handle')
    op.drop_column('comments', 'source_url')

    with op.batch_alter_table('ap_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_ap_deliveries_due')

    op.drop_table('ap_deliveries')
    with op.batch_alter_table('webmentions', schema=None) as batch_op:
        batch_op.drop_index('ix_webmentions_post')
        batch_op.drop_index('ix_webmentions_due')

    op.drop_table('webmentions')
    with op.batch_alter_table('remote_reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_reactions_activity_id'))

    op.drop_table('remote_reactions')
    with op.batch_alter_table('ap_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_activities_post_id'))
        batch_op.drop_index('ix_ap_activities_outbox')
        batch_op.drop_index(batch_op.f('ix_ap_activities_comment_id'))

    op.drop_table('ap_activities')
    op.drop_table('ap_followers')
    with op.batch_alter_table('ap_remote_actors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_remote_actors_key_id'))
        batch_op.drop_index(batch_op.f('ix_ap_remote_actors_domain'))

    op.drop_table('ap_remote_actors')
    op.drop_table('ap_inbox_hosts')
    with op.batch_alter_table('ap_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_inbound_received_at'))
        batch_op.drop_index('ix_ap_inbound_due')
        batch_op.drop_index(batch_op.f('ix_ap_inbound_activity_uri'))

    op.drop_table('ap_inbound')
    op.drop_table('ap_actor_keys')
