"""Daily and weekly digests, written by the worker's pass into the outbox."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blog import protected_posts
from blog.models import Comment, ModerationLog, Post
from blog.permalinks import comment_mail_link, post_url
from blog.queries import visible
from core.i18n import in_language, ngettext
from extensions import db
from notify import links, mailer
from notify.models import Subscription

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def send_digests(now: datetime) -> int:
    """Write one digest per due subscription that has news; returns how many were written."""
    written = 0
    with mailer.site_links():
        for delivery, period in PERIODS.items():
            since = sa.func.coalesce(Subscription.last_digest_at, Subscription.confirmed_at)
            due = db.session.scalars(
                sa.select(Subscription)
                .where(
                    Subscription.delivery == delivery,
                    Subscription.scope.in_(("comments", "posts")),
                    Subscription.confirmed_at.is_not(None),
                    since <= now - period,
                )
                .order_by(Subscription.id)
                .with_for_update(skip_locked=True)
            ).all()
            for subscription in due:
                start = subscription.last_digest_at or subscription.confirmed_at
                written += _write_digest(subscription, delivery, start, now)
                subscription.last_digest_at = now
    return written


def _write_digest(subscription: Subscription, delivery: str, start: datetime, end: datetime) -> int:
    if subscription.scope == "posts":
        post, items = None, [(p, post_url(p, _external=True)) for p in _posts_between(start, end)]
    else:
        post = db.session.get(Post, subscription.post_id)
        if post is None or not visible(post, end):
            return 0
        items = [
            (c, comment_mail_link(c.id))
            for c in _comments_between(post.id, subscription.email, start, end)
        ]
    if not items:
        return 0
    with in_language(subscription.language):
        mailer.enqueue(
            subscription.email,
            _subject(delivery, post, len(items)),
            "digest",
            unsubscribe_url=links.unsubscribe_url([subscription]),
            manage_url=links.manage_url(subscription.email),
            subscription=subscription,
            post=post,
            protected=bool(post and protected_posts.is_protected(post)),  # its comments' text stays out
            items=items,
            period=delivery,
        )
    return 1


def _subject(delivery: str, post: Post | None, count: int) -> str:
    """A digest's subject: its period, how many new posts of the blog or comments on the post."""
    if post is None:
        blog = current_app.config["BLOG_TITLE"]
        if delivery == "daily":
            return ngettext("Daily digest: %(num)d new post on %(blog)s",
                            "Daily digest: %(num)d new posts on %(blog)s", count, blog=blog)
        return ngettext("Weekly digest: %(num)d new post on %(blog)s",
                        "Weekly digest: %(num)d new posts on %(blog)s", count, blog=blog)
    title = protected_posts.display_title(post)
    if delivery == "daily":
        return ngettext("Daily digest: %(num)d new comment on “%(title)s”",
                        "Daily digest: %(num)d new comments on “%(title)s”", count, title=title)
    return ngettext("Weekly digest: %(num)d new comment on “%(title)s”",
                    "Weekly digest: %(num)d new comments on “%(title)s”", count, title=title)


def _posts_between(start: datetime, end: datetime) -> list[Post]:
    return list(
        db.session.scalars(
            sa.select(Post)
            .where(
                Post.kind == "post",
                visible(Post, end),
                Post.published_at > start,
            )
            .order_by(Post.published_at)
        )
    )


def _comments_between(post_id: int, email: str, start: datetime, end: datetime) -> list[Comment]:
    """Approved comments that became visible in the window: new ones, or approved from the queue."""
    approved_in_window = sa.select(ModerationLog.comment_id).where(
        ModerationLog.to_status == "approved",
        ModerationLog.created_at > start,
        ModerationLog.created_at <= end,
    )
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(
                Comment.post_id == post_id,
                Comment.status == "approved",
                sa.func.lower(Comment.author_email) != email,
                ((Comment.created_at > start) & (Comment.created_at <= end))
                | Comment.id.in_(approved_in_window),
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )
