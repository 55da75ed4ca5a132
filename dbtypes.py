"""Column types shared by every domain's models."""

from datetime import UTC, datetime

import sqlalchemy as sa


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
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def insert_or_ignore(model, **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in the current session; True when a row was added.

    Atomic on PostgreSQL and SQLite alike, so "one per user" rules hold under concurrent clicks.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    from extensions import db

    dialect = db.session.get_bind(mapper=sa.inspect(model)).dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    # RETURNING says whether a row went in; rowcount is not reliable across drivers here.
    table = sa.inspect(model).local_table
    statement = insert(table).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(*table.primary_key.columns)).first() is not None
