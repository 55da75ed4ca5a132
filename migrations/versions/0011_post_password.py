"""posts.password: password-protected posts, as WordPress's post_password

Revision ID: 0011_post_password
Revises: 0010_site_state_likes_version
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_post_password"
down_revision = "0010_site_state_likes_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("password", sa.String(255), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_column("password")
