"""The full-text index of posts and pages, kept by the database in the transaction that writes the post.

Both databases index the words a reader sees: `indexed_words` drops HTML tags, Markdown link targets
and entities and keeps runs of letters and digits, so that PostgreSQL's parser, SQLite's unicode61
tokenizer and blog.search_query all cut a text into the same words.

No stemming and no stop-words ('simple' configuration; unicode61 without diacritic folding): a blog
may be written in any language, and an English stemmer mangles the others and drops "to be or not to
be" entirely. Readers who want "run", "running" and "runs" type run* (a prefix query). Both databases
then agree on what matches, which the tests check on each.

A protected post's body is not indexed: a match on it would tell a reader without the password
what its body says.

PostgreSQL: posts.search_vector (title weighted A, body B) set by a BEFORE trigger, GIN index.
SQLite: the FTS5 table posts_search (rowid = posts.id) kept by triggers on posts; the function
blog_search_words is registered on each of the app's connections (`init_app`).
The migration (0016) creates the same objects on an existing database.
"""

import re

import sqlalchemy as sa

from core.db_connections import listen_once

# A protected post's body and past this many characters are left out: PostgreSQL refuses a
# tsvector over 1 MB, and a post's first pages say what it is about.
INDEXED_CHARACTERS = 200_000

# Each pattern means the same in Python's re and PostgreSQL's regular expressions.
MARKUP_PATTERNS = (
    r"<[^>]*>",  # HTML tags and comments (<!--more-->)
    r"\]\([^)]*\)",  # a Markdown link's or image's target: [text](target)
    r"&[#a-zA-Z0-9]+;",  # HTML entities
)
_MARKUP = re.compile("|".join(MARKUP_PATTERNS))
_NOT_A_WORD = re.compile(r"[\W_]+")


def indexed_words(text: str | None) -> str:
    """The words of `text` as a reader sees them, separated by single spaces."""
    if not text:
        return ""
    return _NOT_A_WORD.sub(" ", _MARKUP.sub(" ", text[:INDEXED_CHARACTERS])).strip()


def _pg_regexp_chain(argument: str) -> str:
    inner = f"left({argument}, {INDEXED_CHARACTERS})"
    for pattern in MARKUP_PATTERNS:
        inner = f"regexp_replace({inner}, '{pattern}', ' ', 'g')"
    return f"btrim(regexp_replace({inner}, '[^[:alnum:]]+', ' ', 'g'))"


INDEXED_BODY = "CASE WHEN {row}.password = '' THEN blog_search_words({row}.body) ELSE '' END"

POSTGRESQL_DDL = (
    f"""CREATE OR REPLACE FUNCTION blog_search_words(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
        AS $$ SELECT {_pg_regexp_chain('$1')} $$""",
    f"""CREATE OR REPLACE FUNCTION posts_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := setweight(to_tsvector('simple', coalesce(blog_search_words(NEW.title), '')), 'A')
            || setweight(to_tsvector('simple', coalesce({INDEXED_BODY.format(row='NEW')}, '')), 'B');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER posts_search_vector BEFORE INSERT OR UPDATE OF title, body, password ON posts
        FOR EACH ROW EXECUTE FUNCTION posts_search_vector()""",
)

SQLITE_DDL = (
    # A table that keeps its own copy of the words: a row is then removed by its rowid alone,
    # never by repeating the words it was indexed with (which a contentless table needs).
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
)

POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS posts_search_vector ON posts",
    "DROP FUNCTION IF EXISTS posts_search_vector()",
    "DROP FUNCTION IF EXISTS blog_search_words(text)",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS posts_search_insert",
    "DROP TRIGGER IF EXISTS posts_search_update",
    "DROP TRIGGER IF EXISTS posts_search_delete",
    "DROP TABLE IF EXISTS posts_search",
)


# What SQLite makes for the FTS5 table: no model describes them, so schema comparisons leave them out.
FTS5_TABLES = frozenset({"posts_search"} | {f"posts_search_{part}" for part in
                                            ("data", "idx", "content", "docsize", "config")})


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's include_name filter: every object but the FTS5 table and its shadow tables."""
    return not (type_ == "table" and name in FTS5_TABLES)


def create_index(connection, dialect_name: str) -> None:
    """Create the index's functions, triggers (and SQLite's FTS5 table) on a database with posts."""
    for statement in SQLITE_DDL if dialect_name == "sqlite" else POSTGRESQL_DDL:
        connection.execute(sa.text(statement))


def after_create(_table, connection, **_kw) -> None:
    """posts' after_create hook (blog.models): schemas made by create_all get the index too."""
    create_index(connection, connection.dialect.name)


def before_drop(_table, connection, **_kw) -> None:
    """posts' before_drop hook: drop_all leaves no FTS5 table behind on SQLite."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.execute(sa.text(statement))


def register_sqlite_function(dbapi_connection, _record=None) -> None:
    """Give a SQLite connection the function the index's triggers call."""
    dbapi_connection.create_function("blog_search_words", 1, indexed_words, deterministic=True)


def init_app(app) -> None:
    """On SQLite, every connection of this app's engine gets blog_search_words (the triggers need it)."""
    from extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        listen_once(engine, [("connect", register_sqlite_function)])
