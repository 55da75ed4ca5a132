"""Full-text search: posts.search_vector with its GIN index and trigger on PostgreSQL, the FTS5
table posts_search and its triggers on SQLite (blog.search_index), filled from the existing posts

Revision ID: 0016_search
Revises: 0015_blog_structure
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0016_search"
down_revision = "0015_blog_structure"
branch_labels = None
depends_on = None

INDEXED_BODY = "CASE WHEN {row}.password = '' THEN blog_search_words({row}.body) ELSE '' END"

POSTGRESQL_DDL = (
    r"""CREATE OR REPLACE FUNCTION blog_search_words(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
        AS $$ SELECT btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(left($1, 200000),
            '<[^>]*>', ' ', 'g'), '\]\([^)]*\)', ' ', 'g'), '&[#a-zA-Z0-9]+;', ' ', 'g'),
            '[^[:alnum:]]+', ' ', 'g')) $$""",
    f"""CREATE OR REPLACE FUNCTION posts_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := setweight(to_tsvector('simple', coalesce(blog_search_words(NEW.title), '')), 'A')
            || setweight(to_tsvector('simple', coalesce({INDEXED_BODY.format(row='NEW')}, '')), 'B');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER posts_search_vector BEFORE INSERT OR UPDATE OF title, body, password ON posts
        FOR EACH ROW EXECUTE FUNCTION posts_search_vector()""",
    "UPDATE posts SET title = title",  # the trigger fills each existing post's vector
)

# blog_search_words is the app's Python function (blog.search_index.indexed_words), registered on
# each of its SQLite connections: `flask db upgrade` runs on one of them.
SQLITE_DDL = (
    """CREATE VIRTUAL TABLE posts_search USING fts5(title, body,
        tokenize = 'unicode61 remove_diacritics 0', prefix = '3')""",
    f"""CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_search (rowid, title, body)
        VALUES (NEW.id, blog_search_words(NEW.title), {INDEXED_BODY.format(row='NEW')});
    END""",
    f"""CREATE TRIGGER posts_search_update AFTER UPDATE OF title, body, password ON posts BEGIN
        UPDATE posts_search SET title = blog_search_words(NEW.title), body = {INDEXED_BODY.format(row='NEW')}
        WHERE rowid = NEW.id;
    END""",
    """CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
        DELETE FROM posts_search WHERE rowid = OLD.id;
    END""",
    f"""INSERT INTO posts_search (rowid, title, body)
        SELECT id, blog_search_words(title), {INDEXED_BODY.format(row='posts')} FROM posts""",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("search_vector", TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True))
        batch_op.create_index("ix_posts_search_vector", ["search_vector"], postgresql_using="gin",
                              sqlite_where=sa.text("search_vector IS NOT NULL"))
    for statement in POSTGRESQL_DDL if postgresql else SQLITE_DDL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS posts_search_vector ON posts")
        op.execute("DROP FUNCTION IF EXISTS posts_search_vector()")
        op.execute("DROP FUNCTION IF EXISTS blog_search_words(text)")
        op.drop_index("ix_posts_search_vector", table_name="posts")
        op.drop_column("posts", "search_vector")
        return
    for trigger in ("posts_search_insert", "posts_search_update", "posts_search_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS posts_search")
    op.drop_index("ix_posts_search_vector", table_name="posts")
    # In place, not by batch mode's copy of the table, which would drop the other triggers on posts.
    op.execute("ALTER TABLE posts DROP COLUMN search_vector")
