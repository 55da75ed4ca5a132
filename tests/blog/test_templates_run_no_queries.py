"""Templates only render: every SQL statement of a page runs in its view, before Jinja starts.

A template that reaches the database (a global that queries, a lazy relationship) hides a page's
cost and its failure modes from the view that reads as the page's flow.
"""

import pytest
import sqlalchemy as sa
from flask import before_render_template, template_rendered

from auth.models import Identity
from blog import likes
from blog.models import Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as
from tests.support.mail import csrf_token_from, make_user


def statements_while_rendering(app, send) -> list[str]:
    """The SQL statements run while a template renders (nested renders included), for send()'s requests."""
    depth, seen = [0], []

    def started(_app, **_extra):
        depth[0] += 1

    def finished(_app, **_extra):
        depth[0] -= 1

    def record(_conn, _cursor, statement, *_args):
        if depth[0]:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with before_render_template.connected_to(started, app), template_rendered.connected_to(finished, app):
            send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


@pytest.fixture
def discussed(app, admin_user):
    """A post by the owner with liked, threaded and held comments, over two comment pages."""
    save_settings({"comments_per_page": 2})
    post = make_post(author=admin_user)
    first = make_comment(post, author_name="Dee")
    make_comment(post, author_name="Eve", parent=first)
    make_comment(post, author_name="Fay")
    make_comment(post, author_name="Gus", status="pending")
    for reader in (admin_user, make_user()):
        likes.like_post(reader, post)
        likes.like_comment(reader, first)
    db.session.commit()
    return post, first.id


def _social_reader(client) -> None:
    user = make_user(display_name="Social Reader")
    identity = Identity(user_id=user.id, provider="google", subject="sub-1", display_name="Ada Social",
                        email="ada@example.com", avatar_url="https://example.com/a.png")
    db.session.add(identity)
    db.session.commit()
    login_as(client, user)
    with client.session_transaction() as session:
        session["identity_id"] = identity.id


READERS = {
    "guest": lambda client, owner: client.set_cookie("comment_author", "not-cached"),
    "owner": lambda client, owner: login_as(client, owner),
    "social reader": lambda client, owner: _social_reader(client),
}


def _pages(app, post: Post) -> tuple[list[str], list[str]]:
    """The post's pages, its feed and a protected post's, which every reader sees; and every page
    whose URL takes no argument (the home page, the log-in page, the admin screens), so that a new
    one is checked too."""
    locked = make_post(slug="locked", password="secret")
    db.session.commit()
    permalink = post_url(post)
    shown = [permalink, f"{permalink}comment-page-1/", f"{permalink}?replytocom={post.id}", f"{permalink}feed/",
             post_url(locked)]
    return shown, [rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments]


def _get(app, client, path: str):
    """The response to a GET of `path`, and the statements run while its templates rendered."""
    responses = []
    seen = statements_while_rendering(app, lambda: responses.append(client.get(path)))
    return responses[0], seen


@pytest.mark.parametrize("reader", READERS)
def test_pages_run_no_query_while_rendering(app, discussed, admin_user, reader):
    client = app.test_client()
    READERS[reader](client, admin_user)
    shown, without_arguments = _pages(app, discussed[0])
    assert "/admin/comments" in without_arguments
    for path in shown + without_arguments:
        response, seen = _get(app, client, path)
        assert response.status_code == 200 if path in shown else response.status_code < 500, path
        assert seen == [], f"{reader} on {path}: {seen}"


@pytest.mark.parametrize("reader", READERS)
def test_refused_comment_and_like_answers_run_no_query_while_rendering(app, discussed, admin_user, reader):
    """The page re-shown with errors, and the like box and buttons sent back to likes.js."""
    client = app.test_client()
    READERS[reader](client, admin_user)
    post, comment_id = discussed
    token = csrf_token_from(client.get(post_url(post)))
    sends = [
        lambda: client.post(f"/posts/{post.id}/comments", data={"csrf_token": token, "comment": ""}),
        lambda: client.post(f"/posts/{post.id}/like", data={"csrf_token": token},
                            headers={"Accept": "application/json"}),
        lambda: client.post(f"/comments/{comment_id}/like", data={"csrf_token": token},
                            headers={"Accept": "application/json"}),
    ]
    for send in sends:
        assert statements_while_rendering(app, send) == []


def test_the_check_sees_a_query_made_while_rendering(app):
    """The check above can fail: a template that queries is caught."""
    from flask import render_template_string

    make_post()

    def render():
        with app.test_request_context():
            render_template_string("{{ count() }}", count=lambda: db.session.scalar(sa.select(sa.func.count(Post.id))))

    assert statements_while_rendering(app, render)
