"""outbox.template and template_data: mails whose bodies the sender writes

Revision ID: 0004_outbox_render_later
Revises: 0003_comment_body_hash
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_outbox_render_later"
down_revision = "0003_comment_body_hash"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox", sa.Column("template", sa.String(length=40), nullable=True))
    op.add_column("outbox", sa.Column("template_data", sa.JSON(), nullable=True))


def downgrade():
    # The older code would send a mail still waiting for its bodies empty: mark it failed instead.
    op.execute("UPDATE outbox SET status = 'failed', last_error = 'downgraded before its bodies were written' "
               "WHERE template IS NOT NULL AND status = 'pending'")
    op.drop_column("outbox", "template_data")
    op.drop_column("outbox", "template")
