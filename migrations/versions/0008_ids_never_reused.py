"""ids never reused on SQLite (AUTOINCREMENT) and per-row secrets for mailed links

Comments and subscriptions get link_secret, a random value per row that their mailed links carry,
so that a link names one row and never a later one with the same id. On SQLite the tables whose
ids mails, links or logs name are rebuilt with AUTOINCREMENT (SQLite otherwise hands a deleted last
row's id to the next row); PostgreSQL's sequences never go back, so there they stay as they are.

Revision ID: 0008_ids_never_reused
Revises: 0007_comment_author_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_ids_never_reused"
down_revision = "0007_comment_author_key"
branch_labels = None
depends_on = None

REBUILT = ("users", "posts", "comments", "subscriptions", "outbox", "moderation_log")
WITH_LINK_SECRET = ("comments", "subscriptions")
# A random 32-digit hex value per row, from each database's own strong generator.
RANDOM_HEX = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in WITH_LINK_SECRET:
        # Nullable first, so that existing rows can be given their values before NOT NULL applies.
        op.add_column(table, sa.Column("link_secret", sa.String(length=32), nullable=True))
        op.execute(f"UPDATE {table} SET link_secret = {RANDOM_HEX[dialect]}")
    if dialect != "sqlite":
        for table in WITH_LINK_SECRET:
            op.alter_column(table, "link_secret", existing_type=sa.String(length=32), nullable=False)
        return
    for table in REBUILT:
        # A rebuild keeps the rows (ids included), indexes and constraints; sqlite_sequence then
        # starts from the largest id copied.
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            if table in WITH_LINK_SECRET:
                batch_op.alter_column("link_secret", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        for table in WITH_LINK_SECRET:
            op.drop_column(table, "link_secret")
        return
    for table in REBUILT:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}) as batch_op:
            if table in WITH_LINK_SECRET:
                batch_op.drop_column("link_secret")
