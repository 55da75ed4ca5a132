"""Likes on posts and comments: one per user, undoable, with counts kept on the rows."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from auth.models import User
from blog.content_version import bump_likes_version
from blog.models import Comment, CommentLike, Post, PostLike
from blog.queries import visible
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

LATEST_LIKERS = 10
LIKES_FLASH = "likes"  # the flash category the like box shows itself (base.html leaves it out)


@dataclass
class PostLikes:
    count: int
    likers: list[User]
    liked: bool


def likeable_post(post_id: int) -> Post | None:
    """A post a reader can see, and so like: published and dated now or earlier."""
    return db.session.scalar(sa.select(Post).where(Post.id == post_id, visible(Post)))


def likeable_comment(comment_id: int) -> tuple[Comment, Post] | None:
    """An approved comment on a visible post, with that post."""
    comment = db.session.scalar(
        sa.select(Comment).where(Comment.id == comment_id, Comment.status == "approved")
    )
    post = comment and likeable_post(comment.post_id)
    return (comment, post) if post else None


def like_post(user: User, post: Post) -> bool:
    """Like a post once; a second like changes nothing. Returns whether anything changed."""
    added = insert_or_ignore(PostLike, post_id=post.id, user_id=user.id, created_at=utcnow())
    if added:
        _bump(Post, post.id, +1)
    return added


def unlike_post(user: User, post: Post) -> bool:
    """Take back a like; harmless when there was none."""
    removed = (
        db.session.execute(
            sa.delete(PostLike).where(PostLike.post_id == post.id, PostLike.user_id == user.id)
        ).rowcount
        == 1
    )
    if removed:
        _bump(Post, post.id, -1)
    return removed


def like_comment(user: User, comment: Comment) -> bool:
    """Like a comment once; a second like changes nothing."""
    added = insert_or_ignore(
        CommentLike, comment_id=comment.id, user_id=user.id, created_at=utcnow()
    )
    if added:
        _bump(Comment, comment.id, +1)
    g.pop("liked_comment_ids", None)
    return added


def unlike_comment(user: User, comment: Comment) -> bool:
    """Take back a like on a comment; harmless when there was none."""
    removed = (
        db.session.execute(
            sa.delete(CommentLike).where(
                CommentLike.comment_id == comment.id, CommentLike.user_id == user.id
            )
        ).rowcount
        == 1
    )
    if removed:
        _bump(Comment, comment.id, -1)
    g.pop("liked_comment_ids", None)
    return removed


def _bump(model, row_id: int, delta: int) -> None:
    # In SQL, not in Python, so concurrent likes add up; updated_at kept: a like is not an edit.
    db.session.execute(
        sa.update(model)
        .where(model.id == row_id)
        .values(like_count=model.like_count + delta, updated_at=model.updated_at)
    )
    bump_likes_version(db.session)  # cached pages show the counts


def post_likes(post: Post, user) -> PostLikes:
    """What the like box under a post shows: the count, the latest likers, the reader's own like."""
    count = post.like_count
    likers = list(
        db.session.scalars(
            sa.select(User)
            .join(PostLike, PostLike.user_id == User.id)
            .where(PostLike.post_id == post.id)
            .order_by(PostLike.created_at.desc(), User.id.desc())
            .limit(LATEST_LIKERS)
        )
    ) if count else []
    liked = (
        bool(getattr(user, "is_authenticated", False))
        and db.session.get(PostLike, (post.id, user.id)) is not None
    )
    return PostLikes(count=count, likers=likers, liked=liked)


def liked_comment_ids(user, post_id: int) -> set[int]:
    """Which of a post's comments the reader liked: one query per page, kept for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = g.setdefault("liked_comment_ids", {})
    if (user.id, post_id) not in cache:
        cache[(user.id, post_id)] = set(
            db.session.scalars(
                sa.select(CommentLike.comment_id)
                .join(Comment, Comment.id == CommentLike.comment_id)
                .where(CommentLike.user_id == user.id, Comment.post_id == post_id)
            )
        )
    return cache[(user.id, post_id)]
