"""comments (author_email, created_at): flood control by address reads only that address's
recent comments; PostgreSQL used to walk every comment of the interval instead

Revision ID: 0005_comment_email_created
Revises: 0004_outbox_render_later
"""
from alembic import op

revision = "0005_comment_email_created"
down_revision = "0004_outbox_render_later"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comments_email_created", "comments", ["author_email", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_comments_email_created", table_name="comments")
