"""Spam defence: the learning filter's tokens, comments' scores, readers' reports and the
commenters' ladder

Revision ID: 0020_spam_defence
Revises: 0019_commenter_privacy
"""
import sqlalchemy as sa
from alembic import op

from core.dbtypes import UTCDateTime

revision = "0020_spam_defence"
down_revision = "0019_commenter_privacy"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN, never a batch: a batch rebuilds SQLite's table for the NOT NULL
    # column, and the rebuilt table loses AUTOINCREMENT (ids of deleted comments would come back).
    op.add_column("comments", sa.Column("spam_score", sa.Float(), nullable=True))
    op.add_column("comments", sa.Column("trained_as", sa.String(4), nullable=True))
    op.add_column("comments", sa.Column("shadow", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "spam_tokens",
        sa.Column("token", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("spam", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ham", sa.Integer(), server_default="0", nullable=False),
        sa.Column("weight", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_spam_tokens")),
    )
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(245), nullable=False),
        sa.Column("reporter_email", sa.String(100), nullable=False),
        sa.Column("reporter_key", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_comment_reports_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name=op.f("fk_comment_reports_reporter_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reports")),
        sa.UniqueConstraint("comment_id", "reporter_key", name=op.f("uq_comment_reports_comment_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_comment_reports_open", "comment_reports", ["resolved_at", "comment_id"])
    op.create_table(
        "commenter_standings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_standings")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_commenter_standings_kind")),
    )
    op.create_table(
        "commenter_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("moderator_name", sa.String(250), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["users.id"], name=op.f("fk_commenter_actions_moderator_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_actions")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_commenter_actions_who", "commenter_actions", ["kind", "value", "id"])


def downgrade():
    op.drop_table("commenter_actions")
    op.drop_table("commenter_standings")
    op.drop_table("comment_reports")
    op.drop_table("spam_tokens")
    # ALTER TABLE DROP COLUMN (SQLite 3.35 or later), not a batch's rebuild, which loses AUTOINCREMENT.
    op.drop_column("comments", "shadow")
    op.drop_column("comments", "trained_as")
    op.drop_column("comments", "spam_score")
