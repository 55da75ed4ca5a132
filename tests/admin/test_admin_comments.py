"""The comment list and its row actions: statuses, counts, search, filters and bulk actions."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from blog.models import Comment, ModerationLog, Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, submit_comment


@pytest.fixture
def post(app):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    return make_post(title="Networking for introverts")


def tab_counts(client, **args) -> dict[str, int]:
    soup = page_soup(client.get("/admin/comments", query_string=args))
    return {el["data-count"]: int(el.get_text()) for el in soup.select(".subsubsub [data-count]")}


def listed_ids(client, **args) -> list[int]:
    soup = page_soup(client.get("/admin/comments", query_string=args))
    return [int(row["data-id"]) for row in soup.select("tr.comment-row")]


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def approved_count(post: Post) -> tuple[int, int]:
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    return post.comment_count, post.thread_count


def test_guest_comment_waits_under_pending_with_its_reason(admin_client, client, post):
    submit_comment(client, post, comment="Held for a first-timer.")
    (comment,) = db.session.scalars(sa.select(Comment)).all()
    assert tab_counts(admin_client) == {"all": 1, "pending": 1, "approved": 0, "spam": 0, "trash": 0}
    soup = page_soup(admin_client.get("/admin/comments?comment_status=pending"))
    row = soup.select_one(f"tr#comment-{comment.id}")
    assert "Held for a first-timer." in row.select_one(".comment-text").get_text()
    assert "first comment from this author" in row.select_one(".status-reason").get_text()
    assert row.select_one(".author-email").get_text() == "ada@example.com"
    assert row.select_one(".author-ip").get_text() == "203.0.113.7"
    assert row.select_one(".post-title").get_text() == "Networking for introverts"
    assert row.select_one(f"[data-post-pending='{post.id}']").get_text() == "1"
    permalink = admin_client.get(row.select_one(".comment-permalink")["href"])
    assert permalink.headers["Location"] == post_url(post, _anchor=f"comment-{comment.id}")
    assert soup.select_one("[data-pending-count]").get_text() == "1"


def test_approving_publishes_the_comment_and_the_authors_next_one_skips_the_queue(
        admin_client, admin_token, client, post):
    submit_comment(client, post, comment="First words.")
    (comment,) = db.session.scalars(sa.select(Comment)).all()
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token,
                          next="/admin/comments?comment_status=pending")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/comments?comment_status=pending"
    assert fresh(comment).status == "approved"
    assert approved_count(post) == (1, 1)
    public = page_soup(client.get(post_url(post)))
    assert "First words." in public.select_one(f"#comment-{comment.id}").get_text()
    submit_comment(client, post, comment="Second words.")
    second = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
    assert second.status == "approved"


@pytest.mark.parametrize(("start", "action", "end"), [
    ("pending", "approve", "approved"),
    ("approved", "unapprove", "pending"),
    ("pending", "spam", "spam"),
    ("approved", "spam", "spam"),
    ("approved", "trash", "trash"),
    ("pending", "trash", "trash"),
    ("trash", "spam", "spam"),
])
def test_each_row_action_moves_the_comment_and_keeps_counts(admin_client, admin_token, post, start, action, end):
    comment = make_comment(post, status=start)
    admin_post(admin_client, f"/admin/comments/{comment.id}/{action}", admin_token)
    assert fresh(comment).status == end
    expected = 1 if end == "approved" else 0
    assert approved_count(post) == (expected, expected)
    counts = tab_counts(admin_client)
    assert counts[end] == 1 and sum(v for k, v in counts.items() if k != "all") == 1
    entry = db.session.scalars(sa.select(ModerationLog)).one()
    assert (entry.comment_id, entry.action, entry.from_status, entry.to_status) == (comment.id, action, start, end)
    assert entry.moderator_name == "Blog Owner"


@pytest.mark.parametrize("before", ["pending", "approved"])
def test_restore_and_not_spam_return_the_comment_to_where_it_was(admin_client, admin_token, post, before):
    comment = make_comment(post, status=before)
    admin_post(admin_client, f"/admin/comments/{comment.id}/trash", admin_token)
    admin_post(admin_client, f"/admin/comments/{comment.id}/restore", admin_token)
    assert fresh(comment).status == before
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    admin_post(admin_client, f"/admin/comments/{comment.id}/unspam", admin_token)
    assert fresh(comment).status == before
    assert approved_count(post)[0] == (1 if before == "approved" else 0)


def test_a_comment_the_rules_trashed_on_arrival_is_restored_to_the_queue(admin_client, admin_token, post):
    comment = make_comment(post, status="trash", status_reason="disallowed list: casino")
    admin_post(admin_client, f"/admin/comments/{comment.id}/restore", admin_token)
    assert fresh(comment).status == "pending"


def test_delete_permanently_works_only_from_spam_or_trash(admin_client, admin_token, post):
    kept = make_comment(post, status="approved")
    response = admin_post(admin_client, f"/admin/comments/{kept.id}/delete", admin_token)
    assert response.status_code == 303
    assert fresh(kept) is not None
    assert "Only spam and trashed comments" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    gone_id = make_comment(post, status="spam").id
    admin_post(admin_client, f"/admin/comments/{gone_id}/delete", admin_token)
    assert db.session.get(Comment, gone_id) is None
    assert approved_count(post) == (1, 1)
    entry = db.session.scalars(sa.select(ModerationLog).where(ModerationLog.comment_id == gone_id)).one()
    assert (entry.action, entry.from_status, entry.to_status) == ("delete", "spam", None)


def test_deleting_a_parent_keeps_its_replies_and_counts(admin_client, admin_token, post):
    parent = make_comment(post)
    reply = make_comment(post, parent=parent)
    admin_post(admin_client, f"/admin/comments/{parent.id}/trash", admin_token)
    admin_post(admin_client, f"/admin/comments/{parent.id}/delete", admin_token)
    reply = fresh(reply)
    assert (reply.parent_id, reply.depth, reply.root_id) == (None, 0, reply.id)
    assert approved_count(post) == (1, 1)


def test_in_place_action_answers_json_with_counts_and_the_new_row(admin_client, admin_token, post):
    comment = make_comment(post, status="pending")
    make_comment(post, status="pending")
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token, json=True,
                          next="/admin/comments", post_filter=str(post.id))
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and data["status"] == "approved"
    assert data["counts"] == {"all": 2, "pending": 1, "approved": 1, "spam": 0, "trash": 0}
    assert data["pending"] == 1 and data["post_id"] == post.id and data["post_pending"] == 1
    row = BeautifulSoup(data["row"], "html.parser")
    assert row.select_one(f"tr#comment-{comment.id}")["data-status"] == "approved"
    assert row.select_one("form.action-unapprove") is not None


def test_in_place_refusal_is_a_json_error(admin_client, admin_token, post):
    comment = make_comment(post, status="approved")
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/delete", admin_token, json=True)
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": "Only spam and trashed comments can be deleted permanently."}


def test_action_on_a_missing_comment_is_404(admin_client, admin_token):
    assert admin_post(admin_client, "/admin/comments/999/approve", admin_token).status_code == 404


def test_next_pointing_off_site_is_ignored(admin_client, admin_token, post):
    comment = make_comment(post, status="pending")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token, next=target)
        assert response.headers["Location"] == "/admin/comments"


def test_search_matches_author_email_url_ip_and_text(admin_client, post):
    by_name = make_comment(post, author_name="Grace Hopper")
    by_email = make_comment(post, author_email="grace@navy.example")
    by_url = make_comment(post, author_url="https://cobol.example/")
    by_ip = make_comment(post, author_ip="198.51.100.23")
    by_text = make_comment(post, body="Debugging moths 100% of the time")
    assert listed_ids(admin_client, s="hopper") == [by_name.id]
    assert listed_ids(admin_client, s="NAVY") == [by_email.id]
    assert listed_ids(admin_client, s="cobol") == [by_url.id]
    assert listed_ids(admin_client, s="198.51.100.23") == [by_ip.id]
    assert listed_ids(admin_client, s="100%") == [by_text.id]
    assert listed_ids(admin_client, s="nobody-matches") == []


def test_filter_by_post_limits_rows_and_counts(admin_client, post):
    other = make_post()
    mine = make_comment(post, status="pending")
    make_comment(other, status="pending")
    make_comment(other, status="approved")
    assert listed_ids(admin_client, p=post.id) == [mine.id]
    assert tab_counts(admin_client, p=post.id)["all"] == 1
    assert tab_counts(admin_client)["all"] == 3


def test_tabs_list_their_statuses_newest_first(admin_client, post):
    made = {status: make_comment(post, status=status) for status in ("pending", "approved", "spam", "trash")}
    newer_pending = make_comment(post, status="pending")
    assert listed_ids(admin_client) == [newer_pending.id, made["approved"].id, made["pending"].id]
    assert listed_ids(admin_client, comment_status="spam") == [made["spam"].id]
    assert listed_ids(admin_client, comment_status="trash") == [made["trash"].id]
    assert admin_client.get("/admin/comments?comment_status=bogus").status_code == 404


def test_list_is_paginated_by_the_setting(admin_client, post):
    save_settings({"admin_comments_per_page": 3})
    db.session.commit()
    made = [make_comment(post) for _ in range(7)]
    newest_first = [c.id for c in reversed(made)]
    assert listed_ids(admin_client) == newest_first[:3]
    assert listed_ids(admin_client, paged=3) == newest_first[6:]
    soup = page_soup(admin_client.get("/admin/comments"))
    assert "Page 1 of 3" in soup.select_one(".tablenav-pages").get_text()


def test_bulk_approve_moves_every_selected_comment(admin_client, admin_token, post):
    chosen = [make_comment(post, status="pending") for _ in range(3)]
    untouched = make_comment(post, status="pending")
    response = admin_client.post("/admin/comments/bulk", data={
        "csrf_token": admin_token, "action": "approve", "ids": [c.id for c in chosen],
        "comment_status": "pending", "next": "/admin/comments?comment_status=pending"})
    assert response.status_code == 303
    assert "3 comments approved." in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert tab_counts(admin_client) == {"all": 4, "pending": 1, "approved": 3, "spam": 0, "trash": 0}
    assert fresh(untouched).status == "pending"
    assert approved_count(post) == (3, 3)


def test_bulk_trash_then_delete(admin_client, admin_token, post):
    chosen = [make_comment(post) for _ in range(2)]
    ids = [c.id for c in chosen]
    admin_client.post("/admin/comments/bulk", data={"csrf_token": admin_token, "action": "trash", "ids": ids})
    assert tab_counts(admin_client)["trash"] == 2 and approved_count(post) == (0, 0)
    admin_client.post("/admin/comments/bulk", data={"csrf_token": admin_token, "action": "delete", "ids": ids,
                                                    "comment_status": "trash"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_bulk_without_selection_or_action_explains_itself(admin_client, admin_token, post):
    make_comment(post, status="pending")
    response = admin_client.post("/admin/comments/bulk", data={"csrf_token": admin_token, "action": "approve"},
                                 follow_redirects=True)
    assert "Select at least one comment." in response.get_data(as_text=True)
    assert tab_counts(admin_client)["pending"] == 1


@pytest.mark.parametrize("status", ["spam", "trash"])
def test_empty_spam_or_trash_deletes_only_that_status(admin_client, admin_token, post, status):
    for _ in range(2):
        make_comment(post, status=status)
    kept = make_comment(post, status="pending")
    page = page_soup(admin_client.get(f"/admin/comments?comment_status={status}"))
    assert page.select_one(f"#empty-{status}") is not None
    admin_post(admin_client, f"/admin/comments/empty/{status}", admin_token)
    remaining = db.session.scalars(sa.select(Comment.id)).all()
    assert remaining == [kept.id]
    assert len(db.session.scalars(sa.select(ModerationLog).where(ModerationLog.action == "delete")).all()) == 2


def test_dashboard_counts_and_latest_comments_with_quick_actions(admin_client, post):
    make_comment(post, status="approved")
    make_comment(post, status="spam")
    make_comment(post, status="pending", body="Latest pending words")
    make_post(status="draft")
    soup = page_soup(admin_client.get("/admin/"))
    glance = {el["data-count"]: int(el.get_text()) for el in soup.select(".glance [data-count]")}
    assert glance == {"pending": 1, "approved": 1, "spam": 1, "trash": 0}
    assert soup.select_one("[data-glance=posts]").get_text() == "1"
    assert "1 draft" in soup.select_one(".glance").get_text()
    first = soup.select_one(".dashboard-comments tr.comment-row")
    assert "Latest pending words" in first.get_text()
    assert first.select_one("form.action-approve") is not None
    assert soup.select_one(".admin-menu [data-pending-count]").get_text() == "1"


def test_comment_text_is_rendered_safely(admin_client, post):
    make_comment(post, body='<script>alert(1)</script><a href="javascript:x()">link</a> <b>bold</b>')
    html = admin_client.get("/admin/comments").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    text = BeautifulSoup(html, "html.parser").select_one(".comment-text")
    assert text.select("script") == [] and text.select_one("b").get_text() == "bold"
    assert "javascript:" not in (text.select_one("a").get("href") or "")
