"""bench/post_floor.py: the stack's floor for a guest comment POST does the same work, correctly."""

import os

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from bench import post_floor

# The same database switch as the app's tests (tests/conftest.py): SQLite unless it names PostgreSQL.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture
def floor_app(tmp_path, monkeypatch):
    """The floor app on the test run's database kind (a file for SQLite: it sets WAL, as the blog does)."""
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'floor.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "floor-test")
    app = post_floor.create_app()
    yield app
    with app.app_context():
        post_floor.db.drop_all()  # its tables are not the blog's: they leave no trace in the test database
        post_floor.db.engine.dispose()


def _rows(app, model) -> list:
    with app.app_context():
        return post_floor.db.session.execute(sa.select(model)).scalars().all()


def form_fields(response) -> tuple[str, dict]:
    """The comment form's action and hidden fields, as a browser would send them."""
    form = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("form")
    return form["action"], {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def _send(client, **fields):
    action, hidden = form_fields(client.get(f"/posts/{post_floor.POST_ID}/"))
    data = hidden | {"author": "Ada Reader", "email": "ada@example.com", "comment": "Nice post."} | fields
    return client.post(action, data=data)


def test_a_comment_is_held_with_its_mail_to_the_owner_and_the_reader_sent_to_it(floor_app):
    response = _send(floor_app.test_client())
    comments = _rows(floor_app, post_floor.FloorComment)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/posts/1/#comment-{comments[0].id}"
    assert [(c.author_email, c.status) for c in comments] == [("ada@example.com", "pending")]
    assert [m.comment_id for m in _rows(floor_app, post_floor.FloorMail)] == [comments[0].id]


def test_it_checks_the_csrf_token_the_form_and_the_flood_interval(floor_app):
    client = floor_app.test_client()
    assert _send(client, csrf_token="forged").status_code == 400
    assert _send(client, email="not an address").status_code == 400
    assert _send(client).status_code == 303
    assert _send(client, comment="Again, at once.").status_code == 429
    assert len(_rows(floor_app, post_floor.FloorComment)) == 1


def test_a_post_that_is_not_there_takes_no_comment(floor_app):
    client = floor_app.test_client()
    action, hidden = form_fields(client.get("/posts/1/"))
    response = client.post(action.replace("/posts/1/", "/posts/2/"), data=hidden | {
        "author": "Ada", "email": "ada@example.com", "comment": "Hello"})
    assert response.status_code == 404
    assert _rows(floor_app, post_floor.FloorComment) == []
