"""Trash purging by cron and the moderation log screen."""

from datetime import timedelta

import sqlalchemy as sa

from blog.models import Comment, ModerationLog
from blog.moderation import set_comment_status
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import admin_post, make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup


def trash_days_ago(comment: Comment, days: int) -> None:
    """Move a comment to the trash and date that move `days` ago."""
    set_comment_status(comment, "trash", None)
    db.session.flush()
    db.session.execute(sa.update(ModerationLog).where(ModerationLog.comment_id == comment.id)
                       .values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def remaining_ids() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment.id).order_by(Comment.id)))


def test_purge_trash_deletes_comments_trashed_longer_ago_than_the_setting(app, runner):
    post = make_post()
    old_move = make_comment(post)
    trash_days_ago(old_move, 31)
    old_but_recently_trashed = make_comment(post, created_at=utcnow() - timedelta(days=90))
    trash_days_ago(old_but_recently_trashed, 2)
    trashed_on_arrival_long_ago = make_comment(post, status="trash", created_at=utcnow() - timedelta(days=40))
    trashed_on_arrival_today = make_comment(post, status="trash")
    old_spam = make_comment(post, status="spam", created_at=utcnow() - timedelta(days=400))
    keep = {old_but_recently_trashed.id, trashed_on_arrival_today.id, old_spam.id}
    gone = {old_move.id, trashed_on_arrival_long_ago.id}

    result = runner.invoke(args=["comments", "purge-trash"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 comment(s) trashed more than 30 day(s) ago." in result.output
    assert set(remaining_ids()) == keep
    logged = db.session.scalars(sa.select(ModerationLog).where(ModerationLog.action == "delete")).all()
    assert {e.comment_id for e in logged} == gone
    assert {e.moderator_name for e in logged} == {"scheduled trash purge"}


def test_purge_trash_follows_the_empty_trash_days_setting(app, runner):
    post = make_post()
    comment = make_comment(post)
    trash_days_ago(comment, 8)
    save_settings({"empty_trash_days": 10})
    db.session.commit()
    assert "Deleted 0" in runner.invoke(args=["comments", "purge-trash"]).output
    save_settings({"empty_trash_days": 7})
    db.session.commit()
    assert "Deleted 1" in runner.invoke(args=["comments", "purge-trash"]).output
    assert remaining_ids() == []


def test_log_lists_every_action_with_who_when_and_statuses(admin_client, admin_token):
    post = make_post()
    comment = make_comment(post, status="pending")
    for action in ("approve", "spam", "unspam"):
        admin_post(admin_client, f"/admin/comments/{comment.id}/{action}", admin_token)
    rows = page_soup(admin_client.get("/admin/log")).select("tr.log-entry")
    cells = [[td.get_text(strip=True) for td in row.select("td")][1:] for row in rows]
    assert cells == [
        ["Blog Owner", "unspam", f"#{comment.id}", "spam", "approved"],
        ["Blog Owner", "spam", f"#{comment.id}", "approved", "spam"],
        ["Blog Owner", "approve", f"#{comment.id}", "pending", "approved"],
    ]
    assert rows[0].select_one("time")["datetime"]


def test_log_filters_by_comment_and_by_moderator(app, admin_client, admin_token):
    post = make_post()
    first, second = make_comment(post, status="pending"), make_comment(post, status="pending")
    admin_post(admin_client, f"/admin/comments/{first.id}/approve", admin_token)
    other_admin = make_user(True, "Second Moderator", "second@example.com")
    set_comment_status(second, "spam", other_admin)
    db.session.commit()

    def listed(**args):
        rows = page_soup(admin_client.get("/admin/log", query_string=args)).select("tr.log-entry")
        return [(row.select("td")[1].get_text(strip=True), row.select("td")[3].get_text(strip=True)) for row in rows]

    assert listed(comment=first.id) == [("Blog Owner", f"#{first.id}")]
    assert listed(moderator="Second Moderator") == [("Second Moderator", f"#{second.id}")]
    assert listed(comment=first.id, moderator="Second Moderator") == []
    assert len(listed()) == 2
    options = page_soup(admin_client.get("/admin/log")).select("#log-moderator option")
    assert [o.get_text() for o in options] == ["Everyone", "Blog Owner", "Second Moderator"]


def test_log_is_paginated(admin_client):
    post = make_post()
    comment = make_comment(post)
    for _ in range(26):
        set_comment_status(comment, "trash" if comment.status == "approved" else "approved", None)
        set_comment_status(comment, "approved" if comment.status == "trash" else "trash", None)
    db.session.commit()
    first = page_soup(admin_client.get("/admin/log"))
    assert len(first.select("tr.log-entry")) == 50
    second = page_soup(admin_client.get("/admin/log?page=2"))
    assert len(second.select("tr.log-entry")) == 2
