"""site_state: the version that page caches check

Revision ID: 0002_site_state
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from core import dbtypes

revision = "0002_site_state"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", dbtypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_state")),
    )
    op.execute("INSERT INTO site_state (id, content_version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)")


def downgrade():
    op.drop_table("site_state")
