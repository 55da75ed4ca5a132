"""A database of its own for a bench test module: beside the test database on PostgreSQL, a file on SQLite."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
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
