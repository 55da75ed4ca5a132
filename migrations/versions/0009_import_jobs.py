"""WXR imports run in the background: import_jobs holds each uploaded file's job and result

Revision ID: 0009_import_jobs
Revises: 0008_ids_never_reused
"""
import sqlalchemy as sa
from alembic import op

from core import dbtypes

revision = "0009_import_jobs"
down_revision = "0008_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("file_path", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("bytes_total", sa.BigInteger(), nullable=False),
        sa.Column("orphans", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("items_read", sa.Integer(), nullable=False),
        sa.Column("comments_read", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("error_line", sa.Integer(), nullable=True),
        sa.Column("created_at", dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_import_jobs_status", "import_jobs", ["status", "id"], unique=False)


def downgrade():
    op.drop_index("ix_import_jobs_status", table_name="import_jobs")
    op.drop_table("import_jobs")
