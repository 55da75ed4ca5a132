"""Fixtures for the hostile-input tests: a blog that accepts many comments fast, and its readers."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.settings import save_settings
from extensions import db
from notify.models import OutboxMessage
from notify.sender import write_bodies
from tests.conftest import ON_POSTGRES
from tests.support.admin import login_as, make_user
from tests.support.factories import make_post
from tests.support.helpers import form_fields
from tests.support.xss_check import load_payloads

# Every comment shown at once and approved at once, so one page render shows every payload.
OPEN_DISCUSSION = {
    "comment_flood_seconds": 0, "comment_previously_approved": False, "comment_max_links": 0,
    "page_comments": False, "admin_comments_per_page": 1000, "avatar_source": "gravatar",
    "comments_notify": True, "moderation_notify": True,
}


# Hundreds of commits per test: on PostgreSQL, do not wait for each to reach the disk (tests only).
FAST_COMMITS = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {
    "options": "-c synchronous_commit=off"}}} if ON_POSTGRES else {}


@pytest.fixture(scope="session")
def payloads() -> list[str]:
    return load_payloads()


@pytest.fixture
def hostile_blog(app_factory):
    """An app with an open discussion, an owner who gets mail, and two posts; app context pushed."""
    app = app_factory(COMMENT_RATE_LIMIT="100000 per minute", SERVER_NAME="127.0.0.1", **FAST_COMMITS)
    with app.app_context():
        save_settings(OPEN_DISCUSSION)
        db.session.commit()
        owner = make_user(True, "Blog Owner", "owner@example.com")
        target, quiet = make_post(title="Target post"), make_post(title="Quiet post")
        admin = app.test_client()
        login_as(admin, owner)
        yield SimpleNamespace(app=app, owner=owner, target=target, quiet=quiet, admin=admin)


class Commenter:
    """One browser with its session and CSRF token, posting the real comment form."""

    def __init__(self, client, post_path: str, post_id: int):
        self.client = client
        self.action, self.hidden = form_fields(client.get(post_path))
        self.action = f"/posts/{post_id}/comments"

    def post(self, **fields):
        data = self.hidden | {"author": "Guest", "email": "guest@example.com", "url": "", "comment": "Hi."}
        return self.client.post(self.action, data=data | fields, environ_base={"REMOTE_ADDR": "198.51.100.9"})


def stored_comments(post_id: int) -> list[Comment]:
    return list(db.session.scalars(sa.select(Comment).where(Comment.post_id == post_id).order_by(Comment.id)))


def outbox_html() -> list[str]:
    """The HTML of every queued mail, as sent: the sender writes the deferred ones first."""
    messages = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    for message in messages:
        if message.template:
            assert write_bodies(message), message.template_data
    return [message.body_html for message in messages]
