"""users: a per-user session token (Flask-Login's alternative id) and when and why sessions last ended

Revision ID: 0006_user_session_token
Revises: 0005_comment_email_created
"""
import secrets

import sqlalchemy as sa
from alembic import op

from core import dbtypes

revision = "0006_user_session_token"
down_revision = "0005_comment_email_created"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sessions_revoked_at", dbtypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("sessions_revoked_reason", sa.String(length=60), nullable=True))
    _give_each_user_a_token()
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_session_token"), ["session_token"])


def _give_each_user_a_token():
    """A random token per existing row, made here so SQLite and PostgreSQL get the same kind."""
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(32))
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_session_token"), type_="unique")
        batch_op.drop_column("sessions_revoked_reason")
        batch_op.drop_column("sessions_revoked_at")
        batch_op.drop_column("session_token")
