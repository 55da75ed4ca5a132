"""What the comment list says after a moderator acts: who moved a comment and when, the Undo
notice after Spam or Trash, the bulk menu of each tab, "In reply to" and the admin's own reply."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import url_for

from admin.comment_rows import time_ago
from blog.models import Comment, ModerationLog, Post
from blog.settings import save_settings
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup

HELD = "first comment from this author"


@pytest.fixture
def post(app):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    return make_post(title="Networking for introverts")


def row_of(client, comment: Comment, tab: str = "all"):
    soup = page_soup(client.get("/admin/comments", query_string={"comment_status": tab}))
    return soup.select_one(f"tr#comment-{comment.id}")


def status_of(comment: Comment) -> str:
    db.session.expire_all()
    return db.session.get(Comment, comment.id).status


def age_log(comment: Comment, by: timedelta) -> None:
    """Make the comment's log entries older, as if the moderator had acted `by` ago."""
    db.session.execute(sa.update(ModerationLog).where(ModerationLog.comment_id == comment.id)
                       .values(created_at=datetime.now(UTC) - by))
    db.session.commit()


def undo_form_data(form) -> dict:
    data: dict = {}
    for field in form.select("input[type=hidden]"):
        data.setdefault(field["name"], []).append(field["value"])
    return data


def test_spam_tab_names_the_moderator_and_keeps_the_rules_reason_as_history(admin_client, admin_token, post):
    comment = make_comment(post, status="pending", status_reason=HELD)
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    age_log(comment, timedelta(minutes=2, seconds=5))
    row = row_of(admin_client, comment, "spam")
    reason = row.select_one(".status-reason")
    assert " ".join(reason.get_text().split()) == "Marked as spam by Blog Owner, 2 minutes ago"
    assert "because" not in reason.get_text()
    when = reason.select_one("time")
    assert datetime.fromisoformat(when["datetime"]) < datetime.now(UTC) - timedelta(minutes=2)
    assert when["title"].startswith(str(datetime.now(UTC).year))  # the exact date, "2024/03/05 at ..."
    assert row.select_one(".status-history").get_text() == f"Held by the discussion rules: {HELD}"


@pytest.mark.parametrize(("start", "action", "tab", "words"), [
    ("approved", "trash", "trash", "Moved to the Trash by Blog Owner, 1 hour ago"),
    ("approved", "unapprove", "pending", "Unapproved by Blog Owner, 1 hour ago"),
])
def test_the_latest_move_is_what_the_row_says(admin_client, admin_token, post, start, action, tab, words):
    comment = make_comment(post, status=start)
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    admin_post(admin_client, f"/admin/comments/{comment.id}/unspam", admin_token)
    admin_post(admin_client, f"/admin/comments/{comment.id}/{action}", admin_token)
    age_log(comment, timedelta(hours=1, minutes=1))
    row = row_of(admin_client, comment, tab)
    assert " ".join(row.select_one(".status-reason").get_text().split()) == words
    assert row.select_one(".status-history") is None  # the rules never held it


@pytest.mark.parametrize(("status", "words"), [("pending", "Held because:"), ("spam", "Marked as spam because:")])
def test_a_comment_only_the_rules_moved_keeps_their_reason(admin_client, admin_token, post, status, words):
    comment = make_comment(post, status=status, status_reason=HELD)
    other = make_comment(post, status="approved")
    admin_post(admin_client, f"/admin/comments/{other.id}/trash", admin_token)  # a move of another comment
    admin_post(admin_client, f"/admin/comments/{comment.id}/edit", admin_token, author_name="Renamed",
               author_email="", author_url="", body="Edited, not moved.", status=status)
    reason = row_of(admin_client, comment, status).select_one(".status-reason").get_text()
    assert " ".join(reason.split()) == f"{words} {HELD}"


@pytest.mark.parametrize(("seconds", "said"), [
    (0, "just now"), (59, "just now"), (60, "1 minute ago"), (150, "2 minutes ago"), (3600, "1 hour ago"),
    (86400 * 3, "3 days ago"), (86400 * 65, "2 months ago"), (86400 * 800, "2 years ago"),
])
def test_time_ago_speaks_as_people_do(seconds, said):
    now = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    assert time_ago(now - timedelta(seconds=seconds), now) == said


def test_in_place_answer_shows_the_move_in_the_row(admin_client, admin_token, post):
    comment = make_comment(post, status="approved")
    data = admin_post(admin_client, f"/admin/comments/{comment.id}/unapprove", admin_token, json=True).get_json()
    row = BeautifulSoup(data["row"], "html.parser")
    assert " ".join(row.select_one(".status-reason").get_text().split()) == "Unapproved by Blog Owner, just now"


def test_spam_without_js_flashes_the_notice_with_an_undo_form_that_restores(admin_client, admin_token, post):
    comment = make_comment(post, status="approved", author_name="Grace")
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token,
                          next="/admin/comments?comment_status=approved")
    page = page_soup(admin_client.get(response.headers["Location"]))
    notice = page.select_one(".undo-notice[role=status]")
    assert " ".join(notice.get_text().split()) == "Comment by Grace marked as spam. Undo"
    assert notice.select_one("b").get_text() == "Grace"
    form = notice.select_one("form.undo-form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")["value"]
    response = admin_client.post(form["action"], data=undo_form_data(form))
    assert response.headers["Location"] == "/admin/comments?comment_status=approved"
    assert status_of(comment) == "approved"
    assert db.session.get(Post, post.id).comment_count == 1
    assert "Comment by Grace restored." in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_notice_shows_an_authors_name_as_text_never_as_html(admin_client, admin_token, post):
    name = '<img src=x onerror="alert(1)">Mallory'
    comment = make_comment(post, author_name=name)
    admin_post(admin_client, f"/admin/comments/{comment.id}/trash", admin_token)
    page = page_soup(admin_client.get("/admin/comments"))
    notice = page.select_one(".undo-notice")
    assert notice.select("img") == [] and notice.select_one("b").get_text() == name


def test_in_place_spam_answers_the_undo_line_and_undo_brings_the_row_back(admin_client, admin_token, post):
    comment = make_comment(post, status="trash", author_name="Ada")
    data = admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token, json=True,
                      next="/admin/comments?comment_status=trash").get_json()
    assert data["message"] == "Comment by Ada marked as spam."
    line = BeautifulSoup(data["undo"], "html.parser").select_one("tr.undo-row")
    assert " ".join(line.get_text().split()) == "Comment by Ada marked as spam. Undo"
    form = line.select_one("form.undo-form")
    response = admin_client.post(form["action"], data=undo_form_data(form), headers={"Accept": "application/json"})
    undone = response.get_json()
    assert undone["ok"] and undone["status"] == "trash"  # Undo goes back to the Trash, where it was
    assert BeautifulSoup(undone["row"], "html.parser").select_one(f"tr#comment-{comment.id}") is not None
    assert undone["counts"]["trash"] == 1 and undone["counts"]["spam"] == 0
    assert status_of(comment) == "trash"


def test_bulk_trash_says_how_many_and_undo_restores_each_where_it_was(admin_client, admin_token, post):
    chosen = [make_comment(post, status=s) for s in ("pending", "approved", "approved")]
    response = admin_client.post("/admin/comments/bulk", data={
        "csrf_token": admin_token, "action": "trash", "ids": [c.id for c in chosen], "comment_status": "all"})
    notice = page_soup(admin_client.get(response.headers["Location"])).select_one(".undo-notice")
    assert " ".join(notice.get_text().split()) == "3 comments moved to the Trash. Undo"
    form = notice.select_one("form.undo-form")
    assert sorted(int(v) for v in undo_form_data(form)["ids"]) == [c.id for c in chosen]
    response = admin_client.post(form["action"], data=undo_form_data(form))
    assert [status_of(c) for c in chosen] == ["pending", "approved", "approved"]
    assert (db.session.get(Post, post.id).comment_count, db.session.get(Post, post.id).thread_count) == (2, 2)
    assert "3 comments restored." in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_undo_after_the_comment_moved_on_says_there_is_nothing_to_undo(admin_client, admin_token, post):
    comment = make_comment(post, status="approved")
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    admin_post(admin_client, f"/admin/comments/{comment.id}/unspam", admin_token)
    response = admin_post(admin_client, "/admin/comments/undo", admin_token, json=True, action="spam",
                          ids=str(comment.id))
    assert response.status_code == 409 and "Nothing to undo" in response.get_json()["error"]
    response = admin_post(admin_client, "/admin/comments/undo", admin_token, json=True, action="approve",
                          ids=str(comment.id))
    assert response.status_code == 400 and status_of(comment) == "approved"


@pytest.mark.parametrize(("tab", "offered"), [
    ("all", ["Unapprove", "Approve", "Mark as spam", "Move to Trash"]),
    ("pending", ["Approve", "Mark as spam", "Move to Trash"]),
    ("approved", ["Unapprove", "Mark as spam", "Move to Trash"]),
    ("spam", ["Not spam", "Delete permanently"]),
    ("trash", ["Mark as spam", "Restore", "Delete permanently"]),
])
def test_the_bulk_menu_offers_what_makes_sense_on_each_tab(admin_client, tab, offered):
    soup = page_soup(admin_client.get("/admin/comments", query_string={"comment_status": tab}))
    options = [o.get_text() for o in soup.select("#bulk-form select option") if o.get("value")]
    assert options == offered
    assert soup.select_one("#bulk-form input[name=comment_status]")["value"] == tab


def test_a_bulk_action_the_tab_does_not_offer_is_refused_with_a_message(admin_client, admin_token, post):
    comment = make_comment(post, status="pending")
    response = admin_client.post("/admin/comments/bulk", follow_redirects=True, data={
        "csrf_token": admin_token, "action": "delete", "ids": [comment.id], "comment_status": "pending"})
    assert "“Delete permanently” is not an action for the Pending tab" in response.get_data(as_text=True)
    assert status_of(comment) == "pending"


def test_replies_say_whom_they_answer_with_a_link_to_the_parent(app, admin_client, post):
    parent = make_comment(post, author_name="Grace Hopper")
    reply = make_comment(post, parent, author_name="Ada")
    with app.test_request_context():
        parent_link = url_for("blog.comment_link", comment_id=parent.id)
    for path, rows in (("/admin/comments", "tr.comment-row"), ("/admin/", ".dashboard-comments tr.comment-row")):
        soup = page_soup(admin_client.get(path))
        by_id = {row["data-id"]: row for row in soup.select(rows)}
        answer = by_id[str(reply.id)].select_one(".in-reply-to")
        assert " ".join(answer.get_text().split()) == "In reply to Grace Hopper."
        assert answer.select_one("a")["href"] == parent_link
        assert by_id[str(parent.id)].select_one(".in-reply-to") is None


def test_the_admins_reply_in_place_comes_with_its_own_row(admin_client, admin_token, post):
    parent = make_comment(post, author_name="Grace Hopper")
    data = admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, json=True,
                      body="Thank you!", next="/admin/comments").get_json()
    row = BeautifulSoup(data["reply_row"], "html.parser").select_one(f"tr#comment-{data['reply_id']}")
    assert "Thank you!" in row.select_one(".comment-text").get_text()
    assert " ".join(row.select_one(".in-reply-to").get_text().split()) == "In reply to Grace Hopper."
