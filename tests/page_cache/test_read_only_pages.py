"""On PostgreSQL the public pages that only read run outside a transaction; every other request keeps one."""

import pytest
import sqlalchemy as sa

from blog.demo import make_commented_post
from blog.permalinks import post_url
from extensions import db
from tests.conftest import ON_POSTGRES
from tests.support.helpers import form_fields

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's driver never begins a transaction to read "
                                "(this test runs in the PostgreSQL pass)")


@pytest.fixture
def autocommit_of_each_statement(app):
    """Whether the connection was in autocommit mode, for every statement run while the test runs."""
    seen: list[bool] = []

    def record(_conn, cursor, *_args):
        seen.append(cursor.connection.autocommit)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_post_and_home_pages_read_in_autocommit_mode(app, autocommit_of_each_statement):
    path = post_url(make_commented_post("read-only", 3))
    reader = app.test_client()
    reader.set_cookie("comment_author", "Ada")  # an uncached page: every query runs
    anonymous = app.test_client()  # the page cache's own version read
    autocommit_of_each_statement.clear()
    for client in (reader, anonymous):
        assert client.get(path).status_code == 200
        assert client.get("/").status_code == 200
    assert autocommit_of_each_statement and all(autocommit_of_each_statement)


def test_a_comment_and_other_pages_still_run_in_a_transaction(app, autocommit_of_each_statement):
    post = make_commented_post("writes", 3)
    client = app.test_client()
    action, hidden = form_fields(client.get(post_url(post)))  # in autocommit: the pool must reset it
    autocommit_of_each_statement.clear()
    response = client.post(action, data=hidden | {"author": "Ada", "email": "ada@example.com",
                                                  "comment": "Written in one transaction."})
    assert response.status_code == 303
    assert client.get("/comments/feed/").status_code == 200
    assert autocommit_of_each_statement and not any(autocommit_of_each_statement)
