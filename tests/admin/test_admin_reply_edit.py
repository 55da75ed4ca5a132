"""Replying as the administrator, editing a comment, and blocking its author from the list."""

import pytest
import sqlalchemy as sa

from blog.models import Comment, ModerationLog, Post, Setting
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment
from tests.support.helpers import page_soup, submit_comment


def comments_by_id() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def test_reply_from_admin_approves_the_pending_parent_and_threads_under_it(
        admin_client, admin_token, admin_user, client, post):
    submit_comment(client, post, comment="Is anyone there?")
    (parent,) = comments_by_id()
    page = page_soup(admin_client.get(f"/admin/comments/{parent.id}/reply"))
    assert page.select_one("#admin-main button[type=submit]").get_text() == "Approve and Reply"
    response = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token,
                          body="Yes, we read every comment.", next="/admin/comments?comment_status=pending")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/comments?comment_status=pending"
    parent, reply = comments_by_id()
    assert parent.status == "approved"
    assert (reply.parent_id, reply.root_id, reply.depth) == (parent.id, parent.id, 1)
    assert (reply.status, reply.user_id, reply.author_name) == ("approved", admin_user.id, "Blog Owner")
    assert db.session.get(Post, post.id).comment_count == 2
    public = page_soup(client.get(post_url(post)))
    nested = public.select_one(f"li#comment-{parent.id} > ol.children > li#comment-{reply.id}")
    assert "Yes, we read every comment." in nested.get_text()
    actions = db.session.scalars(sa.select(ModerationLog.action).where(ModerationLog.comment_id == parent.id)).all()
    assert actions == ["approve"]


def test_reply_in_place_answers_json_with_the_reply_id(admin_client, admin_token, post):
    parent = make_comment(post)
    response = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, json=True, body="Thanks!")
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True
    reply = db.session.get(Comment, data["reply_id"])
    assert reply.parent_id == parent.id and reply.body == "Thanks!"


def test_refused_reply_changes_nothing_and_says_why(admin_client, admin_token, post):
    post.comments_open = False
    db.session.commit()
    parent = make_comment(post, status="pending")
    response = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, body="Hello")
    assert response.status_code == 403
    assert "Comments are closed." in response.get_data(as_text=True)
    assert [c.status for c in comments_by_id()] == ["pending"]


def test_empty_reply_is_refused_with_a_message(admin_client, admin_token, post):
    parent = make_comment(post)
    response = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, body="  ")
    assert response.status_code == 400
    assert "Please type your reply." in response.get_data(as_text=True)


def test_cannot_reply_to_spam(admin_client, admin_token, post):
    parent = make_comment(post, status="spam")
    response = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, body="Hi")
    assert response.status_code == 400
    assert len(comments_by_id()) == 1


def test_edit_changes_text_author_fields_and_status(admin_client, admin_token, post):
    comment = make_comment(post, status="pending")
    form = page_soup(admin_client.get(f"/admin/comments/{comment.id}/edit"))
    assert form.select_one("#body").get_text().strip() == comment.body
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/edit", admin_token,
                          author_name="Edited Name", author_email="edited@example.com",
                          author_url="https://edited.example/", body="Edited text.", status="approved")
    assert response.status_code == 303
    (edited,) = comments_by_id()
    assert (edited.author_name, edited.author_email, edited.author_url, edited.body, edited.status) == (
        "Edited Name", "edited@example.com", "https://edited.example/", "Edited text.", "approved")
    assert db.session.get(Post, post.id).comment_count == 1
    entry = db.session.scalars(sa.select(ModerationLog)).one()
    assert (entry.action, entry.from_status, entry.to_status) == ("edit", "pending", "approved")


def test_edit_with_bad_input_shows_messages_and_keeps_the_comment(admin_client, admin_token, post):
    comment = make_comment(post)
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/edit", admin_token,
                          author_email="not-an-email", author_url="javascript:alert(1)", body="", status="approved")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please enter a valid email address." in text and "A comment cannot be empty." in text
    assert comments_by_id()[0].body == comment.body


def test_quick_edit_in_place_answers_json(admin_client, admin_token, post):
    comment = make_comment(post)
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/edit", admin_token, json=True,
                          author_name="Q", author_email="", author_url="", body="Quick.", status="approved")
    assert response.get_json()["ok"] is True
    assert comments_by_id()[0].body == "Quick."


@pytest.mark.parametrize(("what", "key"), [("email", "spammer@example.com"), ("ip", "192.0.2.66")])
def test_block_author_puts_them_on_the_disallowed_list(admin_client, admin_token, client, post, what, key):
    comment = make_comment(post, author_email="spammer@example.com", author_ip="192.0.2.66")
    save_settings({"disallowed_keys": "casino"})
    db.session.commit()
    admin_post(admin_client, f"/admin/comments/{comment.id}/block", admin_token, what=what)
    admin_post(admin_client, f"/admin/comments/{comment.id}/block", admin_token, what=what)
    db.session.expire_all()
    assert db.session.get(Setting, "disallowed_keys").value == f"casino\n{key}"
    submit_comment(client, post, author="Spammer", email="spammer@example.com", comment="Buy now",
                   ip="192.0.2.66")
    newest = comments_by_id()[-1]
    assert newest.status == "trash" and newest.status_reason == f"disallowed list: {key}"


def test_block_with_an_unknown_field_is_refused(admin_client, admin_token, post):
    comment = make_comment(post)
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/block", admin_token, json=True, what="name")
    assert response.status_code == 400


def test_reply_and_edit_pages_for_missing_comments_are_404(admin_client):
    assert admin_client.get("/admin/comments/404/reply").status_code == 404
    assert admin_client.get("/admin/comments/404/edit").status_code == 404
