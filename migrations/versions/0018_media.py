"""The media library: uploaded images, the database storage's files, and posts' featured images

Revision ID: 0018_media
Revises: 0017_posts_parent_index
"""
import sqlalchemy as sa
from alembic import op

from core.dbtypes import UTCDateTime

revision = "0018_media"
down_revision = "0017_posts_parent_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("original_key", sa.String(300), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(50), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("animated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("alt_text", sa.String(1000), server_default="", nullable=False),
        sa.Column("caption", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("error", sa.String(500), server_default="", nullable=False),
        sa.Column("sizes", sa.JSON(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.Column("processing_since", UTCDateTime(), nullable=True),
        sa.Column("wp_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'processing', 'ready', 'failed')", name=op.f("ck_media_status")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_media_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_media_post_id_posts"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("path", name=op.f("uq_media_path")),
        sa.UniqueConstraint("wp_id", name=op.f("uq_media_wp_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_media_library", "media", ["uploaded_at", "id"])
    op.create_index(op.f("ix_media_post_id"), "media", ["post_id"])
    op.create_table(
        "stored_files",
        sa.Column("bucket", sa.String(20), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "key", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "stored_chunks",
        sa.Column("bucket", sa.String(20), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["bucket", "key"], ["stored_files.bucket", "stored_files.key"],
                                name=op.f("fk_stored_chunks_bucket_stored_files"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bucket", "key", "seq", name=op.f("pk_stored_chunks")),
    )
    # A plain ADD COLUMN without a foreign key: SQLite adds one to posts only by rebuilding the table,
    # which would drop its triggers; deleting an image clears it instead (blog.media.library).
    op.add_column("posts", sa.Column("featured_media_id", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("posts", "featured_media_id")
    op.drop_table("stored_chunks")
    op.drop_table("stored_files")
    op.drop_index(op.f("ix_media_post_id"), table_name="media")
    op.drop_index("ix_media_library", table_name="media")
    op.drop_table("media")
