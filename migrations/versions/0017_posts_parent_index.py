"""posts.parent_id indexed: a page's children are found, and a deleted post's ON DELETE SET NULL is
checked, without reading every post

Revision ID: 0017_posts_parent_index
Revises: 0016_search
"""
from alembic import op

revision = "0017_posts_parent_index"
down_revision = "0016_search"
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX, not batch mode: rebuilding posts on SQLite would drop its triggers.
    op.create_index("ix_posts_parent_id", "posts", ["parent_id"])


def downgrade():
    op.drop_index("ix_posts_parent_id", table_name="posts")
