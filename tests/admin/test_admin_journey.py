"""The owner's journey over HTTP, as the issue checks it: CLI admin, /login, moderate, reply, settings."""

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import csrf_token_from
from tests.support.factories import make_post
from tests.support.helpers import form_fields, page_soup, submit_comment


def counts(client) -> dict[str, int]:
    soup = page_soup(client.get("/admin/comments"))
    return {el["data-count"]: int(el.get_text()) for el in soup.select(".subsubsub [data-count]")}


def test_owner_logs_in_with_the_cli_account_and_moderates(app, runner):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    post = make_post()
    result = runner.invoke(args=["create-admin", "owner@example.com", "--password", "correct horse battery"])
    assert result.exit_code == 0, result.output

    owner = app.test_client()
    first = owner.get("/admin/comments?comment_status=pending")
    login_path = urlsplit(first.headers["Location"])
    assert login_path.path == "/login"
    next_path = parse_qs(login_path.query)["next"][0]
    assert next_path == "/admin/comments?comment_status=pending"
    login_page = owner.get(first.headers["Location"])
    _, hidden = form_fields(login_page, "form[action*=login], main form")
    response = owner.post("/login", data=hidden | {"email": "owner@example.com", "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"] == next_path

    guest = app.test_client()
    submit_comment(guest, post, comment="Hello from a guest.")
    assert counts(owner)["pending"] == 1
    (held,) = db.session.scalars(sa.select(Comment)).all()
    token = csrf_token_from(owner.get("/admin/"))
    owner.post(f"/admin/comments/{held.id}/approve", data={"csrf_token": token})
    assert "Hello from a guest." in guest.get(post_url(post)).get_data(as_text=True)
    submit_comment(guest, post, comment="Back again.")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Comment.status).order_by(Comment.id)).all() == ["approved", "approved"]

    owner.post(f"/admin/comments/{held.id}/reply", data={"csrf_token": token, "body": "Welcome!"})
    page = page_soup(guest.get(post_url(post)))
    assert "Welcome!" in page.select_one(f"li#comment-{held.id} > ol.children").get_text()
    db.session.expire_all()
    assert db.session.get(Post, post.id).comment_count == 3
    assert counts(owner) == {"all": 3, "pending": 0, "approved": 3, "spam": 0, "trash": 0}
