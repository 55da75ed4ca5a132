"""A PostgreSQL database of its own for each pytest-xdist worker.

Every test empties the tables of the run's database when it ends (tests/conftest.py), so two
workers on one database would empty each other's rows: each worker gets TEST_DATABASE_URL's
database name with its own suffix, created when missing.
"""

import os

import psycopg
import sqlalchemy as sa


def for_this_worker(url: str) -> str:
    """`url` itself, unless this is a PostgreSQL run in an xdist worker: then the worker's own database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    parsed = sa.make_url(url)
    if parsed.database.endswith(f"_{worker}"):
        return url  # already this worker's (conftest is imported again as tests.conftest)
    name = f"{parsed.database}_{worker}"
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return parsed.set(database=name).render_as_string(False)
