"""notify hears blog's signals inside the causing transaction: its outbox rows go where the comment goes."""

import pytest
import sqlalchemy as sa

from blog.comment_admin import reply_as_admin
from blog.discussion import CommentRefused
from blog.models import Comment
from blog.moderation import set_comment_status
from extensions import db
from notify.models import OutboxMessage, Subscription
from tests.support.factories import make_comment, make_post
from tests.support.mail import make_user


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage)))


def _followed_post_with_held_comment(**post_fields):
    post = make_post(**post_fields)
    db.session.add(Subscription(email="follower@example.com", scope="comments", post_id=post.id,
                                delivery="instant", confirmed_at=post.published_at))
    held = make_comment(post, status="pending", author_email="guest@example.com")
    db.session.commit()
    return held


def test_approving_a_comment_queues_the_followers_mail_in_the_same_transaction(mail_app):
    held = _followed_post_with_held_comment()
    set_comment_status(held, "approved", None, "approve")
    assert [m.to_addr for m in _outbox()] == ["follower@example.com"]  # not committed yet
    db.session.rollback()
    assert _outbox() == []


def test_a_refused_admin_reply_rolls_back_the_parents_approval_mail_with_it(mail_app):
    """Replying approves a held parent first (its followers' mail is queued), then the rules refuse
    the reply (comments are closed): nothing of that transaction stays, the mail included."""
    admin = make_user(email="owner@example.com", role="administrator")
    held = _followed_post_with_held_comment(comments_open=False)
    with pytest.raises(CommentRefused):
        reply_as_admin(held, "Thanks!", admin)
    assert _outbox() == []
    assert db.session.get(Comment, held.id).status == "pending"
