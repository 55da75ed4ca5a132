"""posts.guid indexed: a WXR import looks every item up by its guid, to recognise what is here

Revision ID: 0012_wxr_reimport
Revises: 0011_post_password
"""
from alembic import op

revision = "0012_wxr_reimport"
down_revision = "0011_post_password"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_guid"), ["guid"], unique=False)


def downgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_guid"))
