"""Column types shared by every domain's models."""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

# Table options for tables whose ids mails, links or logs name: SQLite otherwise hands a deleted
# last row's id to the next row. PostgreSQL's sequences never go back.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def new_link_secret() -> str:
    """A row's own random value, signed into the links that name the row (see notify.links)."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if value is not None else None

    def result_processor(self, dialect, coltype):
        # PostgreSQL's timestamptz always arrives aware: no per-row call (a page reads hundreds).
        if dialect.name == "postgresql":
            return self.impl_instance.result_processor(dialect, coltype)
        return _stored_utc_text


def _stored_utc_text(value: str | None) -> datetime | None:
    """SQLite's text for a UTCDateTime (naive UTC, as its bind step writes it) made an aware datetime.

    Parsed with the offset appended: datetime.replace(tzinfo=...) costs several times the parse,
    and a 200-comment page reads 200 of these.
    """
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # text written with its own offset, by hand or by another tool
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def insert_or_ignore(model, **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in the current session; True when a row was added.

    Atomic on PostgreSQL and SQLite alike, so "one per user" rules hold under concurrent clicks.
    """
    from extensions import db

    table = sa.inspect(model).local_table
    names = tuple(sorted(values))

    def build(insert):
        # RETURNING says whether a row went in; rowcount is not reliable across drivers here.
        return insert(table).values({name: sa.bindparam(name) for name in names}).on_conflict_do_nothing() \
            .returning(*table.primary_key.columns)

    statement = compiled_once(("ignore", table.name, names), table, names, build,
                              returning=tuple(table.primary_key.columns))
    return db.session.execute(statement, values).first() is not None


_COMPILED: dict[tuple, sa.TextClause] = {}


def compiled_once(key: tuple, table: sa.Table, names: tuple[str, ...], build, returning: tuple = ()) -> sa.TextClause:
    """An INSERT ... ON CONFLICT statement for the session's database, built by build(insert) with a
    bind parameter per name (and RETURNING these columns) and compiled once per database:
    SQLAlchemy caches no ON CONFLICT statement, and compiling one costs more than running it."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.dialects.postgresql.base import PGDialect
    from sqlalchemy.dialects.sqlite.base import SQLiteDialect

    from extensions import db

    dialect = db.session.get_bind().dialect.name
    if (dialect, *key) not in _COMPILED:
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        plain = {"postgresql": PGDialect, "sqlite": SQLiteDialect}[dialect]  # not the driver's paramstyle
        statement = build(insert)
        # PostgreSQL's casts (:payload::JSON) escaped, or text() would not see the parameter before them.
        sql = str(statement.compile(dialect=plain(paramstyle="named"))).replace("::", r"\:\:")
        text = sa.text(sql).bindparams(*(sa.bindparam(name, type_=table.c[name].type) for name in names))
        _COMPILED[(dialect, *key)] = text.columns(*returning) if returning else text
    return _COMPILED[(dialect, *key)]
