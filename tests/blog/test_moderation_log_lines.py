"""One structured log line per moderation action: who, what, which comment, from which request."""

import json
import logging

from blog.moderation import purge_old_trash, set_comment_status
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment, make_post


def moderation_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.moderation"]


def test_each_admin_action_writes_one_line_naming_moderator_action_and_comment(
        admin_client, admin_token, admin_user, caplog):
    post = make_post()
    comment = make_comment(post, status="pending")
    with caplog.at_level(logging.INFO, logger="blog.moderation"):
        response = admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token)
    assert moderation_lines(caplog) == [{
        "event": "moderation", "request_id": response.headers["X-Request-Id"],
        "moderator_id": admin_user.id, "moderator": "Blog Owner", "action": "approve",
        "comment_id": comment.id, "post_id": post.id, "from": "pending", "to": "approved",
    }]


def test_bulk_and_scheduled_actions_write_a_line_per_comment(admin_client, admin_token, caplog):
    post = make_post()
    comments = [make_comment(post, status="pending") for _ in range(3)]
    with caplog.at_level(logging.INFO, logger="blog.moderation"):
        admin_post(admin_client, "/admin/comments/bulk", admin_token, action="trash",
                   ids=[str(c.id) for c in comments])
        purge_old_trash(days=-1, now=utcnow())
    lines = moderation_lines(caplog)
    assert [(line["action"], line["comment_id"]) for line in lines] == (
        [("trash", c.id) for c in comments] + [("delete", c.id) for c in comments])
    assert {line["moderator"] for line in lines[3:]} == {"scheduled trash purge"}
    assert all(line["moderator_id"] is None for line in lines[3:])


def test_a_step_that_is_rolled_back_writes_no_line(app, caplog):
    comment = make_comment(make_post(), status="pending")
    with caplog.at_level(logging.INFO, logger="blog.moderation"):
        set_comment_status(comment, "spam", None)
        db.session.rollback()
        db.session.commit()
    assert moderation_lines(caplog) == []
