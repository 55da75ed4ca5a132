"""users: a per-user session token for revocable sessions (placeholder: filled in by the change that needs it)

Revision ID: 0006_user_session_token
Revises: 0005_comment_email_created
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_user_session_token"
down_revision = "0005_comment_email_created"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
