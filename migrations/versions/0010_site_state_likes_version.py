"""site_state.likes_version: likes change cached pages' counts without emptying the page cache

Revision ID: 0010_site_state_likes_version
Revises: 0009_import_jobs
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_site_state_likes_version"
down_revision = "0009_import_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("site_state") as batch_op:
        batch_op.add_column(sa.Column("likes_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("site_state") as batch_op:
        batch_op.drop_column("likes_version")
