"""A database that cannot be reached is a friendly 503 (and the comment text is kept); a broken query is a 500.

The outages are real: PostgreSQL on a port where nothing listens, SQLite in a folder that does not
exist yet (and then does, to show recovery without a restart).
"""

import logging
import time

import sqlalchemy as sa

from app import create_app
from extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config
from tests.support.fake_providers import closed_port
from tests.support.helpers import page_soup


def unreachable_apps(tmp_path):
    with closed_port() as url:
        port = url.rsplit(":", 1)[1]
    yield "postgresql", create_app(make_config(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{port}/blog"))
    yield "sqlite", create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/blog.sqlite"))


def assert_friendly_503(response) -> str:
    assert response.status_code == 503
    # 30 s, or the rate limiter's own window when it is longer (it keeps the later of the two).
    assert int(response.headers["Retry-After"]) >= 30
    assert "Content-Security-Policy" in response.headers
    text = response.get_data(as_text=True)
    assert "briefly unavailable" in text
    assert "Traceback" not in text and "OperationalError" not in text and "psycopg" not in text
    return text


def test_unreachable_database_is_a_503_page_with_retry_after(tmp_path, caplog):
    for kind, app in unreachable_apps(tmp_path):
        client = app.test_client()
        with caplog.at_level(logging.ERROR, logger="errors"):
            for path in ("/", "/2024/03/04/a-post/", "/comments/feed/", "/?p=3"):
                assert_friendly_503(client.get(path))
        assert "database unavailable" in caplog.text, kind
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "down", kind


def test_comment_sent_during_an_outage_is_shown_again_with_its_text(tmp_path):
    for kind, app in unreachable_apps(tmp_path):
        client = app.test_client()
        client.get("/healthz")  # a session, as the reader who opened the post page has
        response = client.post("/posts/7/comments", data={
            "comment": "My long <thoughtful> reply", "author": "Ada", "email": "ada@example.com",
            "url": "https://ada.example.com", "comment_parent": "3"})
        text = assert_friendly_503(response)
        assert "Your comment was not saved yet" in text, kind
        form = page_soup(response).select_one("form#commentform")
        assert form["action"] == "/posts/7/comments" and form["method"] == "post"
        assert form.select_one("textarea[name=comment]").get_text() == "My long <thoughtful> reply"
        fields = {i["name"]: i.get("value") for i in form.select("input[name]")}
        assert fields["author"] == "Ada" and fields["email"] == "ada@example.com"
        assert fields["comment_parent"] == "3" and fields["csrf_token"], "press Try again and it is sent"


def test_sqlite_database_that_appears_again_is_used_without_a_restart(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/later/blog.sqlite"))
    client = app.test_client()
    assert client.get("/").status_code == 503
    (tmp_path / "later").mkdir()
    with app.app_context():
        db.create_all()
    assert client.get("/").status_code == 200


def broken_schema_apps():
    """Apps whose queries are wrong (the tables are missing): a bug, not an outage."""
    yield create_app(make_config(SQLALCHEMY_DATABASE_URI="sqlite://"))  # no tables created
    if ON_POSTGRES:
        options = {"connect_args": {"options": "-c search_path=no_such_schema"}}
        yield create_app(make_config(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, SQLALCHEMY_ENGINE_OPTIONS=options))


def test_a_broken_query_is_a_logged_500_not_a_503(caplog):
    for app in broken_schema_apps():
        with caplog.at_level(logging.ERROR, logger="errors"):
            response = app.test_client().get("/")
        assert response.status_code == 500
        assert "Retry-After" not in response.headers
        assert "Something went wrong on our side" in response.get_data(as_text=True)
        assert "unhandled error on GET /" in caplog.text
        assert "database unavailable" not in caplog.text
        caplog.clear()


def test_sqlite_file_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """Writers wait for each other (up to 5 s) instead of failing with "database is locked"."""
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/blog.sqlite"))
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def file_database_app(app_factory, tmp_path, ping_after_idle: float):
    """An app on PostgreSQL, or on a SQLite file (an in-memory database lives in its one connection),
    whose pool keeps one connection: the one broken below is the one the next request gets."""
    uri = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path}/blog.sqlite"
    return app_factory(SQLALCHEMY_DATABASE_URI=uri, DATABASE_PING_AFTER_IDLE_SECONDS=ping_after_idle,
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})


def uncached_client(app):
    client = app.test_client()
    client.set_cookie("comment_author", "Ada")  # a commenter's cookie: every page is made for them
    return client


def break_idle_connection(app) -> None:
    """What a database restart does to a pooled connection: it dies while idle in the pool."""
    with app.app_context():
        connection = db.session.connection()
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() if ON_POSTGRES else None
        dbapi_connection = connection.connection.dbapi_connection
        db.session.remove()  # back in the pool, idle
    if ON_POSTGRES:
        with sa.create_engine(TEST_DATABASE_URL).connect() as other:
            assert other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        time.sleep(0.2)  # the backend is gone once the server has processed the signal
    else:
        dbapi_connection.close()


def test_a_connection_that_passed_its_idle_ping_serves_the_next_pages(app_factory, tmp_path):
    """The ping leaves no transaction open: the read-only pages then switch to autocommit."""
    app = file_database_app(app_factory, tmp_path, ping_after_idle=0.05)
    client = uncached_client(app)
    for _ in range(2):
        assert client.get("/").status_code == 200
        time.sleep(0.1)


def test_a_connection_that_died_while_idle_is_replaced_before_a_reader_sees_it(app_factory, tmp_path):
    app = file_database_app(app_factory, tmp_path, ping_after_idle=0.05)
    client = uncached_client(app)
    assert client.get("/").status_code == 200
    break_idle_connection(app)
    time.sleep(0.1)
    assert client.get("/").status_code == 200


def test_a_connection_used_a_moment_ago_is_not_pinged_and_fails_one_request_at_most(app_factory, tmp_path):
    """The price of skipping the ping (one round trip per request): a connection that dies within
    the idle window costs its one request a friendly 503; the pool is renewed for the next."""
    app = file_database_app(app_factory, tmp_path, ping_after_idle=3600)
    client = uncached_client(app)
    assert client.get("/").status_code == 200
    break_idle_connection(app)
    assert_friendly_503(client.get("/"))
    assert client.get("/").status_code == 200


def test_a_logged_in_reader_also_gets_the_friendly_503(tmp_path):
    for kind, app in unreachable_apps(tmp_path):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "a-session-token"  # loading this user needs the database too
        for path in ("/", "/admin/"):
            assert_friendly_503(client.get(path)), (kind, path)
