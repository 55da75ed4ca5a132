"""A database of its own for a bench test module (beside the test database on PostgreSQL, a file on
SQLite), and reading rows from it."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


@contextmanager
def scratch_database(suffix: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database named after the test database and `suffix`, dropped afterwards."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{folder / (suffix + '.sqlite')}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{suffix}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def read_rows(database_url: str, query: str) -> list:
    """The rows a query reads from the database at `database_url`."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        found = list(connection.execute(sa.text(query)))
    engine.dispose()
    return found
