"""The migrations build the schema the models describe, on an empty SQLite or PostgreSQL database."""

import uuid

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new database of the kind this run tests, dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    url = sa.make_url(TEST_DATABASE_URL)
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_upgrade_on_empty_database_matches_models(empty_database_url):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])  # as `flask db upgrade` runs it
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"
