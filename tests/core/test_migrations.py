"""The migrations build the schema the models describe, on an empty SQLite or PostgreSQL database."""

import uuid

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from blog import search_index
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
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "include_name": search_index.include_name})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"


def test_user_roles_migration_keeps_administrators_and_ids(empty_database_url):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012_wxr_reimport"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as conn:
            for n, admin in enumerate((True, False, False)):
                conn.execute(sa.text("INSERT INTO users (email_verified, display_name, is_admin, created_at,"
                                     " session_token) VALUES (true, :name, :admin, CURRENT_TIMESTAMP, :token)"),
                             {"name": f"user {n}", "admin": admin, "token": f"token-{n}"})
            conn.execute(sa.text("DELETE FROM users WHERE display_name = 'user 2'"))
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as conn:
            roles = conn.execute(sa.text("SELECT display_name, role FROM users ORDER BY id")).all()
            conn.execute(sa.text("INSERT INTO users (email_verified, display_name, created_at, session_token)"
                                 " VALUES (false, 'new', CURRENT_TIMESTAMP, 'token-new')"))
            new_id = conn.execute(sa.text("SELECT id FROM users WHERE display_name = 'new'")).scalar()
        db.engine.dispose()
    assert roles == [("user 0", "administrator"), ("user 1", "subscriber")]
    assert new_id == 4  # the recreated table still never reuses an id (0008)


def test_autogenerate_proposes_nothing_after_the_migrations(empty_database_url):
    """`flask db check` (Alembic's autogenerate) sees the models in the migrated database, the search
    index's own tables included, so the next `flask db migrate` starts from a clean slate."""
    runner = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url)).test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
