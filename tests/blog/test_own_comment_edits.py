"""A commenter edits or deletes their own comment within the edit window, and nobody else can."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.models import Comment, CommentRevision, ModerationLog, Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment
from tests.support.helpers import form_fields, login_as, page_soup, statements_during, submit_comment


@pytest.fixture
def trusting(app, post):
    """Guests' first comments appear at once, so edits start from an approved comment."""
    save_settings({"comment_previously_approved": False})
    db.session.commit()
    return post


def written(client, post, text="First thoughts.") -> Comment:
    response = submit_comment(client, post, comment=text)
    assert response.status_code == 303
    return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()


def edit(client, comment, text, json=False):
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(action, data=hidden | {"comment": text}, headers=headers)


def fresh(comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def test_the_writing_browser_sees_edit_and_delete_links_and_no_one_else(app, trusting, client):
    comment = written(client, trusting)
    mine = page_soup(client.get(post_url(trusting)))
    assert mine.select_one(f"#comment-{comment.id} a.comment-edit-own")["href"].endswith(f"/comments/{comment.id}/edit")
    assert mine.select_one(f"#comment-{comment.id} a.comment-delete-own") is not None
    assert mine.select_one("script[src$='comment-edit.js']") is not None
    stranger = page_soup(app.test_client().get(post_url(trusting)))
    assert stranger.select_one(f"#comment-{comment.id}") is not None
    assert stranger.select(".own-comment-links, script[src$='comment-edit.js']") == []


def test_an_edit_within_the_window_keeps_a_revision_and_shows_edited(app, trusting, client):
    comment = written(client, trusting, "Frist post.")
    response = edit(client, comment, "First post (typo fixed).")
    assert response.status_code == 303
    comment = fresh(comment)
    assert (comment.body, comment.status) == ("First post (typo fixed).", "approved")
    assert comment.edited_at is not None
    revision = db.session.scalars(sa.select(CommentRevision)).one()
    assert (revision.body, revision.editor_role, revision.editor_name) == ("Frist post.", "author", "Ada Reader")
    page = page_soup(app.test_client().get(post_url(trusting)))
    assert "Edited" in page.select_one(f"#comment-{comment.id} .comment-edited").get_text()
    assert "typo fixed" in page.select_one(f"#comment-{comment.id} .comment-content").get_text()


def test_an_edit_that_adds_links_sends_an_approved_comment_back_to_the_queue(app, trusting, client):
    comment = written(client, trusting, "Harmless.")
    assert db.session.get(Post, trusting.id).comment_count == 1
    edit(client, comment, "Buy now https://spam.example/a and https://spam.example/b")
    comment = fresh(comment)
    assert (comment.status, comment.status_reason) == ("pending", "edited: 2 links; limit 2")
    assert db.session.get(Post, trusting.id).comment_count == 0
    log = db.session.scalars(sa.select(ModerationLog).where(ModerationLog.comment_id == comment.id)).all()
    assert [(entry.action, entry.from_status, entry.to_status, entry.moderator_name) for entry in log] == [
        ("held after edit", "approved", "pending", "Ada Reader (the comment's author)")]
    assert f"comment-{comment.id}" not in app.test_client().get(post_url(trusting)).get_data(as_text=True)


def test_an_edit_with_a_disallowed_word_is_held_not_trashed(app, trusting, client):
    comment = written(client, trusting, "Nice post.")
    save_settings({"disallowed_keys": "casino"})
    db.session.commit()
    edit(client, comment, "Visit my casino")
    comment = fresh(comment)
    assert (comment.status, comment.status_reason) == ("pending", "edited: disallowed list: casino")


def test_in_place_edit_answers_json_with_the_rendered_text(app, trusting, client):
    comment = written(client, trusting)
    response = edit(client, comment, "Now with <em>emphasis</em><script>alert(1)</script>.", json=True)
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] and data["status"] == "approved"
    assert "<em>emphasis</em>" in data["content"] and "<script" not in data["content"]


def test_an_edit_after_the_window_is_refused_and_changes_nothing(app, trusting, client):
    comment = written(client, trusting, "Too late to fix.")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    comment.created_at -= timedelta(minutes=16)
    db.session.commit()
    response = client.post(action, data=hidden | {"comment": "Changed."})
    assert response.status_code == 403
    assert "The time to change this comment has passed" in response.get_data(as_text=True)
    assert fresh(comment).body == "Too late to fix."
    assert f"/comments/{comment.id}/edit" not in client.get(post_url(trusting)).get_data(as_text=True)


def test_a_window_of_zero_minutes_means_comments_cannot_be_changed(app, trusting, client):
    save_settings({"comment_edit_minutes": 0})
    db.session.commit()
    comment = written(client, trusting)
    assert "own-comment-links" not in client.get(post_url(trusting)).get_data(as_text=True)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403


def test_someone_elses_comment_cannot_be_edited_or_deleted(app, trusting, client):
    comment = written(client, trusting, "Mine.")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    other = app.test_client()
    other.get(post_url(trusting))  # a CSRF token of its own session
    token = page_soup(other.get(post_url(trusting))).select_one("input[name=csrf_token]")["value"]
    response = other.post(action, data={"comment": "Hijacked.", "seen": hidden["seen"], "csrf_token": token})
    assert response.status_code == 403
    assert other.get(f"/comments/{comment.id}/delete").status_code == 403
    assert fresh(comment).body == "Mine."


def test_someone_elses_held_comment_is_not_found(app, post, client):
    held = make_comment(post, status="pending", body="Held.")
    assert app.test_client().get(f"/comments/{held.id}/edit").status_code == 404


def test_a_replayed_secret_is_refused_after_an_edit(app, trusting, client):
    comment = written(client, trusting, "One.")
    old_keys = client.get_cookie("comment_keys").value
    edit(client, comment, "Two.")
    assert client.get_cookie("comment_keys").value != old_keys
    replay = app.test_client()
    replay.set_cookie("comment_keys", old_keys)
    assert replay.get(f"/comments/{comment.id}/edit").status_code == 403
    assert edit(client, fresh(comment), "Three.").status_code == 303  # the browser's fresh secret works


def test_an_edit_racing_a_moderator_is_refused(app, trusting, client):
    comment = written(client, trusting, "Before.")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    comment.status = "pending"  # a moderator unapproves it meanwhile
    db.session.commit()
    response = client.post(action, data=hidden | {"comment": "After."})
    assert response.status_code == 409
    assert "changed while you were editing" in response.get_data(as_text=True)
    assert fresh(comment).body == "Before."


def test_an_edit_on_a_post_whose_comments_closed_is_refused(app, trusting, client):
    comment = written(client, trusting)
    db.session.get(Post, trusting.id).comments_open = False
    db.session.commit()
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403


def test_edits_need_the_csrf_token(app, trusting, client):
    comment = written(client, trusting, "Safe.")
    _action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    response = client.post(f"/comments/{comment.id}/edit", data={"comment": "Forged.", "seen": hidden["seen"]})
    assert response.status_code == 400
    assert fresh(comment).body == "Safe."


def test_the_delete_page_quotes_the_comment_as_it_reads_not_as_markup(app, trusting, client):
    comment = written(client, trusting, text="First thoughts.")
    quote = page_soup(client.get(f"/comments/{comment.id}/delete")).select_one("blockquote")
    assert quote.select_one("p").get_text() == "First thoughts." and "<p>" not in quote.get_text()


def test_deleting_a_comment_without_replies_removes_it(app, trusting, client):
    comment_id = written(client, trusting, "Oops.").id
    action, hidden = form_fields(client.get(f"/comments/{comment_id}/delete"), "form#comment-delete-form")
    assert client.post(action, data=hidden).status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, comment_id) is None
    assert db.session.get(Post, trusting.id).comment_count == 0


def test_deleting_a_comment_with_replies_keeps_them_under_a_note(app, trusting, client):
    comment = written(client, trusting, "Regrettable words.")
    reply = make_comment(trusting, parent=fresh(comment), body="A reply that stays.")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/delete"), "form#comment-delete-form")
    client.post(action, data=hidden)
    comment = fresh(comment)
    assert comment.deleted_at is not None
    assert (comment.body, comment.author_name, comment.author_email, comment.author_ip) == ("", "", "", "")
    page = page_soup(app.test_client().get(post_url(trusting))).select_one(f"#comment-{comment.id}")
    assert "This comment was deleted by its author." in page.get_text()
    assert "Regrettable" not in page.get_text() and "Ada Reader" not in page.get_text()
    assert page.select_one(f"#comment-{reply.id}") is not None
    assert page.select_one(f".comment-reply-link[data-commentid='{comment.id}']") is None


def test_a_logged_in_author_edits_from_any_browser(app, trusting):
    user = make_user(False, "Logged Reader", "logged@example.com")
    comment = make_comment(trusting, user_id=user.id, author_name=user.display_name, body="Account's words.")
    other_browser = app.test_client()
    login_as(other_browser, user)
    assert f"/comments/{comment.id}/edit" in other_browser.get(post_url(trusting)).get_data(as_text=True)
    assert edit(other_browser, comment, "Edited from my phone.").status_code == 303
    revision = db.session.scalars(sa.select(CommentRevision)).one()
    assert (revision.editor_id, revision.editor_name) == (user.id, "Logged Reader")


def test_staff_edits_keep_history_and_a_revision_can_be_restored(app, trusting, admin_client, admin_token):
    comment = make_comment(trusting, body="Original words.")
    fields = {"csrf_token": admin_token, "author_name": comment.author_name, "author_email": comment.author_email,
              "author_url": "", "body": "Moderated words.", "status": "approved"}
    assert admin_client.post(f"/admin/comments/{comment.id}/edit", data=fields).status_code == 303
    revision = db.session.scalars(sa.select(CommentRevision)).one()
    assert (revision.body, revision.editor_role) == ("Original words.", "staff")
    history = page_soup(admin_client.get(f"/admin/comments/{comment.id}/edit")).select_one(f"#revision-{revision.id}")
    assert "Original words." in history.get_text()
    restore = history.select_one("form")["action"]
    assert admin_client.post(restore, data={"csrf_token": admin_token}).status_code == 303
    assert fresh(comment).body == "Original words."
    assert [r.body for r in db.session.scalars(sa.select(CommentRevision).order_by(CommentRevision.id))] == [
        "Original words.", "Moderated words."]


def test_editing_adds_no_query_to_the_post_page(app, trusting, client):
    comment = written(client, trusting)
    url = post_url(trusting)
    client.get(url)  # warm the caches every reader shares
    open_window = statements_during(app, lambda: client.get(url))
    comment.created_at -= timedelta(hours=1)
    db.session.commit()
    client.get(url)
    closed_window = statements_during(app, lambda: client.get(url))
    assert len(open_window) == len(closed_window)
