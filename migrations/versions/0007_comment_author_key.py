"""comments: a per-comment secret held by the browser that wrote it (placeholder: filled in by the change that needs it)

Revision ID: 0007_comment_author_key
Revises: 0006_user_session_token
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007_comment_author_key"
down_revision = "0006_user_session_token"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
