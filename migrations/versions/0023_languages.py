"""Languages: a staff member's admin language, and the language each reader's mail is written in

Revision ID: 0023_languages
Revises: 0022_two_way_mail
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_languages'
down_revision = '0022_two_way_mail'
branch_labels = None
depends_on = None


def upgrade():
    # NULL: the site's language (BLOG_LANGUAGE), so rows written before keep following it.
    for table in ('users', 'subscriptions', 'outbox'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=20), nullable=True))


def downgrade():
    for table in ('outbox', 'subscriptions', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
