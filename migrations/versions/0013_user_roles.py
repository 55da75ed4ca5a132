"""users: a role in place of is_admin, the author slug and bio, two-factor log-in and its recovery codes

Revision ID: 0013_user_roles
Revises: 0012_wxr_reimport
"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from core import dbtypes

revision = "0013_user_roles"
down_revision = "0012_wxr_reimport"
branch_labels = None
depends_on = None

USERS = sa.table("users", sa.column("is_admin", sa.Boolean), sa.column("role", sa.String))


@contextmanager
def _rebuilt_users_keep_their_sequence():
    """SQLite rebuilds the table to drop a column, and the new table's AUTOINCREMENT would start from
    the largest id left, handing out the ids of deleted last users again (0008 forbids that): the
    old table's sequence is carried over. PostgreSQL alters in place."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    seq = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'users'")).scalar()
    yield
    if seq is not None:  # the rebuilt table has a row there only when it kept some users
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'users'"), {"seq": seq})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) SELECT 'users', :seq WHERE NOT EXISTS"
                             " (SELECT 1 FROM sqlite_sequence WHERE name = 'users')"), {"seq": seq})


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(20), server_default="subscriber", nullable=False))
        batch_op.add_column(sa.Column("nicename", sa.String(60), nullable=True))
        batch_op.add_column(sa.Column("bio", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", dbtypes.UTCDateTime(), nullable=True))
    op.execute(USERS.update().where(USERS.c.is_admin.is_(True)).values(role="administrator"))
    with _rebuilt_users_keep_their_sequence():
        with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column("is_admin")
            batch_op.create_unique_constraint(batch_op.f("uq_users_nicename"), ["nicename"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", dbtypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with _rebuilt_users_keep_their_sequence():
        with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.drop_constraint(batch_op.f("uq_users_nicename"), type_="unique")
    op.execute(USERS.update().where(USERS.c.role == "administrator").values(is_admin=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("bio")
        batch_op.drop_column("nicename")
        batch_op.drop_column("role")
