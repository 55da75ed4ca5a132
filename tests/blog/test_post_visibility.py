"""One rule says which posts a visitor may see; the SQL condition and the Python answer agree."""

from datetime import timedelta

import sqlalchemy as sa

from blog.models import Post
from blog.moderation import set_comment_status
from blog.queries import visible
from core.dbtypes import utcnow
from extensions import db
from notify.models import OutboxMessage, Subscription
from tests.support.factories import make_comment, make_post


def _posts():
    now = utcnow()
    return {
        "published": make_post(),
        "protected": make_post(password="secret"),
        "page": make_post(kind="page"),
        "scheduled": make_post(published_at=now + timedelta(hours=1)),
        "draft": make_post(status="draft"),
        "private": make_post(status="private"),
        "trash": make_post(status="trash"),
    }


def test_the_sql_condition_and_the_python_answer_agree(app):
    posts = _posts()
    db.session.commit()
    in_sql = set(db.session.scalars(sa.select(Post.id).where(visible(Post))))
    in_python = {post.id for post in posts.values() if visible(post)}
    assert in_sql == in_python == {posts[name].id for name in ("published", "protected", "page")}


def test_the_rule_answers_for_a_given_moment(app):
    later = make_post(published_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert not visible(later)
    assert visible(later, utcnow() + timedelta(hours=2))
    assert db.session.scalar(sa.select(Post.id).where(visible(Post, utcnow() + timedelta(hours=2)))) == later.id


def test_approving_a_comment_on_a_scheduled_post_mails_no_follower(app):
    scheduled = make_post(published_at=utcnow() + timedelta(days=1))
    db.session.add(Subscription(email="follower@example.com", scope="comments", post_id=scheduled.id,
                                delivery="instant", confirmed_at=utcnow()))
    held = make_comment(scheduled, status="pending")
    db.session.commit()
    set_comment_status(held, "approved", None, "approve")
    db.session.commit()
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []
