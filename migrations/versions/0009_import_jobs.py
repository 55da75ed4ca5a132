"""WXR imports run in the background: import jobs (placeholder: filled in by the change that needs it)

Revision ID: 0009_import_jobs
Revises: 0008_ids_never_reused
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0009_import_jobs"
down_revision = "0008_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
