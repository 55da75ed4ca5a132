"""ids never reused on SQLite (AUTOINCREMENT) and per-row secrets for mailed links (placeholder: filled in by the change that needs it)

Revision ID: 0008_ids_never_reused
Revises: 0007_comment_author_key
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0008_ids_never_reused"
down_revision = "0007_comment_author_key"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
