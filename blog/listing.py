"""The database keeps post_terms' copy of each post's date and listing state (blog.models.post_terms).

Triggers, not Python: posts change status and date through the editor, the importer, bulk updates
and the bench's seed, and a copy kept by the database cannot be forgotten by any of them. The
migration (0015) creates the same triggers on an existing database.
"""

import sqlalchemy as sa

# A post listed in archives: a published post, not a page (its date decides when readers see it).
LISTED_SQL = "{row}.kind = 'post' AND {row}.status = 'published'"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER post_terms_copy_post AFTER INSERT ON post_terms BEGIN
        UPDATE post_terms SET
            published_at = (SELECT published_at FROM posts WHERE id = NEW.post_id),
            listed = COALESCE((SELECT {LISTED_SQL.format(row='posts')} FROM posts WHERE id = NEW.post_id), 0)
        WHERE post_id = NEW.post_id AND term_id = NEW.term_id;
    END""",
    f"""CREATE TRIGGER posts_copy_to_terms AFTER UPDATE OF kind, status, published_at ON posts BEGIN
        UPDATE post_terms SET published_at = NEW.published_at, listed = ({LISTED_SQL.format(row='NEW')})
        WHERE post_id = NEW.id;
    END""",
)

POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION post_terms_copy_post() RETURNS trigger AS $$
    BEGIN
        SELECT p.published_at, {LISTED_SQL.format(row='p')} INTO NEW.published_at, NEW.listed
        FROM posts p WHERE p.id = NEW.post_id;
        NEW.listed := COALESCE(NEW.listed, false);
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER post_terms_copy_post BEFORE INSERT ON post_terms
        FOR EACH ROW EXECUTE FUNCTION post_terms_copy_post()""",
    f"""CREATE OR REPLACE FUNCTION posts_copy_to_terms() RETURNS trigger AS $$
    BEGIN
        UPDATE post_terms SET published_at = NEW.published_at, listed = ({LISTED_SQL.format(row='NEW')})
        WHERE post_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER posts_copy_to_terms AFTER UPDATE OF kind, status, published_at ON posts
        FOR EACH ROW EXECUTE FUNCTION posts_copy_to_terms()""",
)


def create_triggers(connection, dialect_name: str) -> None:
    """Create the triggers on a database that has posts and post_terms."""
    for statement in SQLITE_TRIGGERS if dialect_name == "sqlite" else POSTGRESQL_TRIGGERS:
        connection.execute(sa.text(statement))


def after_create(_table, connection, **_kw) -> None:
    """post_terms' after_create hook (blog.models): tables made by create_all get the triggers too."""
    create_triggers(connection, connection.dialect.name)
