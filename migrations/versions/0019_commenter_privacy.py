"""Commenters' own words and data: comment edits and deletions, drafts held through a log-in,
privacy requests, and moderation log steps about a person rather than a comment

Revision ID: 0019_commenter_privacy
Revises: 0018_media
"""
import sqlalchemy as sa
from alembic import op

from core.dbtypes import UTCDateTime

revision = "0019_commenter_privacy"
down_revision = "0018_media"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments") as batch_op:  # columns added in place: no table rebuild
        batch_op.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("editor_name", sa.String(250), nullable=False),
        sa.Column("editor_role", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_comment_revisions_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["editor_id"], ["users.id"], name=op.f("fk_comment_revisions_editor_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_comment_revisions_comment", "comment_revisions", ["comment_id", "id"])
    op.create_table(
        "comment_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_comment_drafts_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_drafts")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_comment_drafts_key_hash")),
    )
    op.create_index(op.f("ix_comment_drafts_created_at"), "comment_drafts", ["created_at"])
    op.create_index(op.f("ix_comment_drafts_state_hash"), "comment_drafts", ["state_hash"])
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("erase_text", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(255), nullable=False),
        sa.Column("link_secret", sa.String(32), nullable=False),
        sa.CheckConstraint("kind IN ('export', 'erase')", name=op.f("ck_privacy_requests_kind")),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'done')", name=op.f("ck_privacy_requests_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_privacy_requests_email_hash"), "privacy_requests", ["email_hash"])
    op.create_index("ix_privacy_requests_status_created", "privacy_requests", ["status", "created_at", "id"])
    with op.batch_alter_table("moderation_log") as batch_op:  # SQLite rebuilds this small table
        batch_op.add_column(sa.Column("detail", sa.String(255), server_default="", nullable=False))
        batch_op.alter_column("comment_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM moderation_log WHERE comment_id IS NULL")
    # Rebuilt on SQLite to make the column NOT NULL again: keep its AUTOINCREMENT (0008).
    with op.batch_alter_table("moderation_log", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("comment_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("detail")
    op.drop_table("privacy_requests")
    op.drop_table("comment_drafts")
    op.drop_table("comment_revisions")
    # ALTER TABLE DROP COLUMN (SQLite 3.35 or later), not a batch's rebuild, which loses AUTOINCREMENT.
    op.drop_column("comments", "deleted_at")
    op.drop_column("comments", "edited_at")
