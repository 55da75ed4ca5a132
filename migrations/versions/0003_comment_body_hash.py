"""comments.body_hash: the duplicate-comment rule finds an equal text through an index;
the user_id index leaves guests' comments out, so that SQLite's statistics keep it useful

Revision ID: 0003_comment_body_hash
Revises: 0002_site_state
"""
import sqlalchemy as sa
from alembic import op

from blog.models import text_hash

revision = "0003_comment_body_hash"
down_revision = "0002_site_state"
branch_labels = None
depends_on = None

BATCH = 5000
comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                    sa.column("body_hash", sa.BigInteger))


def upgrade():
    # Nullable, so that SQLite adds it in place: making it NOT NULL there means rebuilding the
    # table, and dropping the old one with foreign keys on cascades into comment_likes and the rest.
    op.add_column("comments", sa.Column("body_hash", sa.BigInteger(), nullable=True))
    _hash_existing_comments(op.get_bind())
    op.create_index("ix_comments_post_body_hash", "comments", ["post_id", "body_hash"], unique=False)
    op.drop_index("ix_comments_user_id", table_name="comments")
    op.create_index("ix_comments_user_id", "comments", ["user_id"], unique=False,
                    sqlite_where=sa.text("user_id IS NOT NULL"), postgresql_where=sa.text("user_id IS NOT NULL"))


def _hash_existing_comments(connection) -> None:
    """Fill the new column a batch at a time, walking the primary key."""
    set_hash = sa.update(comments).where(comments.c.id == sa.bindparam("row_id")).values(
        body_hash=sa.bindparam("hash"))
    last_id = 0
    while True:
        rows = connection.execute(sa.select(comments.c.id, comments.c.body).where(comments.c.id > last_id)
                                  .order_by(comments.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(set_hash, [{"row_id": row.id, "hash": text_hash(row.body)} for row in rows])
        last_id = rows[-1].id


def downgrade():
    op.drop_index("ix_comments_user_id", table_name="comments")
    op.create_index("ix_comments_user_id", "comments", ["user_id"], unique=False)
    op.drop_index("ix_comments_post_body_hash", table_name="comments")
    op.drop_column("comments", "body_hash")  # in place on SQLite 3.35+, without a rebuild
