"""comments: indexes on created_at (the admin's "All" list) and (post, status, created_at) (a post's comments)

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
    op.create_index("ix_comments_post_status_created", "comments", ["post_id", "status", "created_at"])


def downgrade():
    op.drop_index("ix_comments_post_status_created", table_name="comments")
    op.drop_index("ix_comments_created", table_name="comments")
