"""Two-way mail: addresses that bounced, and the log of mail received (replies, moderation, bounces)

Revision ID: 0022_two_way_mail
Revises: 0021_federation
"""
import sqlalchemy as sa
from alembic import op

import core.dbtypes

revision = '0022_two_way_mail'
down_revision = '0021_federation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('bounce_count', sa.Integer(), nullable=False),
    sa.Column('first_bounce_at', core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_bounce_at', core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=20), nullable=False),
    sa.Column('last_diagnostic', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_addresses')),
    sa.UniqueConstraint('email', name=op.f('uq_mail_addresses_email'))
    )
    op.create_table('inbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('envelope_from', sa.String(length=254), nullable=False),
    sa.Column('from_addr', sa.String(length=254), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=False),
    sa.Column('spf', sa.String(length=20), nullable=False),
    sa.Column('dkim', sa.String(length=20), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_inbound_mail_comment_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_inbound_mail_outbox_id_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_mail'))
    )
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_mail_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_inbound_mail_received', ['received_at', 'id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_sent', ['status', 'sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sent')

    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_mail_received')
        batch_op.drop_index(batch_op.f('ix_inbound_mail_message_id'))

    op.drop_table('inbound_mail')
    op.drop_table('mail_addresses')
