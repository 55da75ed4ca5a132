"""Fixtures shared by the whole suite: an app per test on an isolated database.

The suite runs on in-memory SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set;
on PostgreSQL the schema is created once and every table is emptied after each test.
"""

import os

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from blog.settings import save_settings
from config import TestConfig
from extensions import db
from tests.support import url_builders
from tests.support.factories import make_post

pytest_plugins = ["tests.support.oauth", "tests.support.mail", "tests.support.wxr", "tests.support.admin",
                  "tests.support.hardening"]

url_builders.install()  # every test's app shares the compiled URL builders (tests/support/url_builders.py)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as on a real server.

    Without this, requests would share the test's app context: its `g` (Flask-Login's current
    user, cached settings) and its database session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session sees what the request committed
        return response


def pytest_collection_modifyitems(config, items):
    """BROWSER_TESTS chooses the browser tests (tests/e2e) a run takes: all of them (unset), none
    ("none"), or the modules it names ("test_journeys,test_media_journey"). CI runs them on
    PostgreSQL in a process of their own and only a few on SQLite, to share out the machine's cores."""
    chosen = os.environ.get("BROWSER_TESTS", "").strip()
    if not chosen:
        return
    modules = set() if chosen == "none" else {name.strip() for name in chosen.split(",")}
    kept, dropped = [], []
    for item in items:
        in_browser = item.nodeid.startswith("tests/e2e/")
        (dropped if in_browser and item.path.stem not in modules else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def make_config(**overrides) -> type[TestConfig]:
    return type("TestRunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, **overrides})


@pytest.fixture(scope="session")
def postgres_schema():
    """Create the schema once per run on PostgreSQL (fails loudly when it is unreachable)."""
    if not ON_POSTGRES:
        yield
        return
    app = create_app(make_config())
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """Delete every row and restart the ids, as TRUNCATE ... RESTART IDENTITY would; DELETE is
    several times quicker on tables this small, which every test on PostgreSQL pays for. All of it
    goes as one string of statements (psycopg sends a query without parameters as it is): one round
    trip, not one per table.

    site_state keeps its single row (its version only ever grows), as a real database does.
    """
    if not _EMPTYING:
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "site_state"]  # children first
        sequences = [f"setval(pg_get_serial_sequence('{t.name}', '{c.name}'), 1, false)"
                     for t in tables for c in t.primary_key.columns if c.autoincrement is True or
                     (c.autoincrement == "auto" and isinstance(c.type, sa.Integer) and len(t.primary_key.columns) == 1)]
        _EMPTYING.append("; ".join([*(f'DELETE FROM "{t.name}"' for t in tables), "SELECT " + ", ".join(sequences)]))
    db.session.connection().exec_driver_sql(_EMPTYING[0])
    db.session.commit()


_EMPTYING: list[str] = []  # the statements, built on first use


_SQLITE_TEMPLATE = []  # one in-memory database holding the empty schema, made on first use


def _copy_sqlite_schema() -> None:
    """Give the app's SQLite database the empty schema by copying a template made once per run
    (sqlite3's backup): create_all's DDL, triggers and full-text tables cost a test far more."""
    if not _SQLITE_TEMPLATE:
        engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
        db.metadata.create_all(engine)
        _SQLITE_TEMPLATE.append(engine.raw_connection().driver_connection)
    connection = db.engine.raw_connection()
    try:
        _SQLITE_TEMPLATE[0].backup(connection.driver_connection)
    finally:
        connection.close()


@pytest.fixture
def app_factory(postgres_schema, tmp_path_factory):
    """Build apps with extra settings; each gets an empty database and media folders of its own."""
    made = []

    def build(**overrides):
        media = tmp_path_factory.mktemp("media")
        overrides = {"MEDIA_ROOT": str(media / "public"), "MEDIA_ORIGINALS_ROOT": str(media / "originals"),
                     **overrides}
        app = create_app(make_config(**overrides))
        app.test_client_class = IsolatedClient
        with app.app_context():
            if db.engine.dialect.name == "sqlite":  # also a second blog's file beside PostgreSQL
                _copy_sqlite_schema()
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                _empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.test_request_context():
        yield app


@pytest.fixture
def post(app):
    """A published post whose comments no flood interval holds back."""
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    return make_post()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
