"""comments: index on created_at for the admin's "All" list, newest first

Revision ID: 0003_comments_created
Revises: 0002_site_state
"""
from alembic import op

revision = "0003_comments_created"
down_revision = "0002_site_state"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comments_created", "comments", ["created_at"])


def downgrade():
    op.drop_index("ix_comments_created", table_name="comments")
