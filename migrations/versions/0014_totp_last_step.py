"""users.totp_last_step: the time step of the newest two-factor code accepted, so that no code
is accepted twice, in any browser

Revision ID: 0014_totp_last_step
Revises: 0013_user_roles
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_totp_last_step"
down_revision = "0013_user_roles"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_last_step")
