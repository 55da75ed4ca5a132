"""comments.author_key_hash: a per-comment secret held by the browser that wrote it (its hash)

A held comment is shown to the browser that proves its comment's secret, never to whoever types
the author's name and email. Comments written before have no secret: only a logged-in author
(or staff) sees them while they are held.

Revision ID: 0007_comment_author_key
Revises: 0006_user_session_token
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_comment_author_key"
down_revision = "0006_user_session_token"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, so that SQLite adds it in place (no table rebuild) and older comments need no value.
    op.add_column("comments", sa.Column("author_key_hash", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("comments", "author_key_hash")  # in place on SQLite 3.35+, without a rebuild
