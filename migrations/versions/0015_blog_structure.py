"""A blog around the discussion: sticky posts, page order, term counts, post_terms' listing copy
(kept by triggers), author archives' index, and the navigation menu

Revision ID: 0015_blog_structure
Revises: 0014_totp_last_step
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_blog_structure"
down_revision = "0014_totp_last_step"
branch_labels = None
depends_on = None

LISTED = "{row}.kind = 'post' AND {row}.status = 'published'"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER post_terms_copy_post AFTER INSERT ON post_terms BEGIN
        UPDATE post_terms SET
            published_at = (SELECT published_at FROM posts WHERE id = NEW.post_id),
            listed = COALESCE((SELECT {LISTED.format(row='posts')} FROM posts WHERE id = NEW.post_id), 0)
        WHERE post_id = NEW.post_id AND term_id = NEW.term_id;
    END""",
    f"""CREATE TRIGGER posts_copy_to_terms AFTER UPDATE OF kind, status, published_at ON posts BEGIN
        UPDATE post_terms SET published_at = NEW.published_at, listed = ({LISTED.format(row='NEW')})
        WHERE post_id = NEW.id;
    END""",
)

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION post_terms_copy_post() RETURNS trigger AS $$
    BEGIN
        SELECT p.published_at, {LISTED.format(row='p')} INTO NEW.published_at, NEW.listed
        FROM posts p WHERE p.id = NEW.post_id;
        NEW.listed := COALESCE(NEW.listed, false);
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER post_terms_copy_post BEFORE INSERT ON post_terms
        FOR EACH ROW EXECUTE FUNCTION post_terms_copy_post()""",
    f"""CREATE OR REPLACE FUNCTION posts_copy_to_terms() RETURNS trigger AS $$
    BEGIN
        UPDATE post_terms SET published_at = NEW.published_at, listed = ({LISTED.format(row='NEW')})
        WHERE post_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER posts_copy_to_terms AFTER UPDATE OF kind, status, published_at ON posts
        FOR EACH ROW EXECUTE FUNCTION posts_copy_to_terms()""",
)


def upgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("menu_order", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("sticky", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index("ix_posts_author_id")
        batch_op.create_index("ix_posts_author_listing", ["author_id", "kind", "status", "published_at"])
        batch_op.create_index("ix_posts_sticky", ["sticky"], sqlite_where=sa.text("sticky"),
                              postgresql_where=sa.text("sticky"))
    with op.batch_alter_table("terms") as batch_op:
        batch_op.add_column(sa.Column("post_count", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("post_terms") as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("listed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_post_terms_listing", ["term_id", "listed", "published_at", "post_id"])
    op.create_table(
        "menu_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["menu_items.id"], name=op.f("fk_menu_items_parent_id_menu_items"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_items")),
    )
    with op.batch_alter_table("menu_items") as batch_op:
        batch_op.create_index("ix_menu_items_parent_id", ["parent_id"])
    bind = op.get_bind()
    for statement in SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRESQL_TRIGGERS:
        op.execute(statement)
    op.execute("UPDATE post_terms SET published_at = (SELECT published_at FROM posts WHERE posts.id = post_terms.post_id),"
               f" listed = COALESCE((SELECT {LISTED.format(row='posts')} FROM posts"
               " WHERE posts.id = post_terms.post_id), false)")
    op.execute("UPDATE terms SET post_count = (SELECT count(*) FROM post_terms JOIN posts ON posts.id = post_terms.post_id"
               f" WHERE post_terms.term_id = terms.id AND {LISTED.format(row='posts')})")


def downgrade():
    bind = op.get_bind()
    op.execute("DROP TRIGGER IF EXISTS post_terms_copy_post" + ("" if bind.dialect.name == "sqlite" else " ON post_terms"))
    op.execute("DROP TRIGGER IF EXISTS posts_copy_to_terms" + ("" if bind.dialect.name == "sqlite" else " ON posts"))
    op.drop_table("menu_items")
    with op.batch_alter_table("post_terms") as batch_op:
        batch_op.drop_index("ix_post_terms_listing")
        batch_op.drop_column("listed")
        batch_op.drop_column("published_at")
    with op.batch_alter_table("terms") as batch_op:
        batch_op.drop_column("post_count")
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_sticky")
        batch_op.drop_index("ix_posts_author_listing")
        batch_op.create_index("ix_posts_author_id", ["author_id"])
        batch_op.drop_column("sticky")
        batch_op.drop_column("menu_order")
