"""The counts kept on posts and comments so that pages need no COUNT, and their repair from the rows."""

from dataclasses import dataclass

import sqlalchemy as sa

from blog.content_version import bump_content_version
from blog.models import Comment, CommentLike, Post, PostLike
from extensions import db


def count_approved(post_id: int, delta: int, *, comments: bool = True, threads: bool = False) -> None:
    """Move a post's approved-comment counters by `delta`, in the caller's transaction: comment_count
    (unless comments=False), and thread_count when the comment heads a thread (threads=True).

    In SQL, not in Python, so concurrent changes add up.
    """
    values = {"updated_at": Post.updated_at}  # a count change is not an edit of the post (feeds, sitemap)
    if comments:
        values["comment_count"] = Post.comment_count + delta
    if threads:
        values["thread_count"] = Post.thread_count + delta
    db.session.execute(sa.update(Post).where(Post.id == post_id).values(**values))


def approved_comments(post_id, top_level: bool = False) -> sa.ScalarSelect:
    """How many approved comments (or approved top-level ones: threads) the post `post_id` has."""
    where = [Comment.post_id == post_id, Comment.status == "approved"]
    if top_level:
        where.append(Comment.depth == 0)
    return sa.select(sa.func.count()).select_from(Comment).where(*where).scalar_subquery()


def _post_counters() -> dict[str, sa.ScalarSelect]:
    """What each of a post's counters must hold, for the post row being read or updated."""
    return {
        "comment_count": approved_comments(Post.id),
        "thread_count": approved_comments(Post.id, top_level=True),
        "like_count": sa.select(sa.func.count()).where(PostLike.post_id == Post.id).scalar_subquery(),
    }


@dataclass(frozen=True)
class Repair:
    post_id: int
    slug: str
    counter: str
    was: int
    now: int


def recount() -> tuple[list[Repair], int]:
    """Set every post's counters, and every comment's like count, to what the rows say, and commit.

    Returns the posts' repairs and how many comments' like counts were wrong. For the command
    line and for staff; the posts are locked first, so no comment counted meanwhile is lost.
    """
    counters = _post_counters()
    db.session.execute(sa.select(Post.id).with_for_update())
    wrong = db.session.execute(
        sa.select(Post.id, Post.slug, *(getattr(Post, name) for name in counters),
                  *(value.label(f"right_{name}") for name, value in counters.items()))
        .where(sa.or_(*(getattr(Post, name) != value for name, value in counters.items())))
        .order_by(Post.id)
    ).all()
    repairs = [Repair(row.id, row.slug, name, getattr(row, name), getattr(row, f"right_{name}"))
               for row in wrong for name in counters if getattr(row, name) != getattr(row, f"right_{name}")]
    if wrong:
        # A count is not an edit of the post: updated_at (feeds, sitemap) stays as it was.
        db.session.execute(
            sa.update(Post).where(sa.or_(*(getattr(Post, name) != value for name, value in counters.items())))
            .values(updated_at=Post.updated_at, **counters).execution_options(synchronize_session=False))
    comment_likes = sa.select(sa.func.count()).where(CommentLike.comment_id == Comment.id).scalar_subquery()
    liked_wrong = db.session.execute(
        sa.update(Comment).where(Comment.like_count != comment_likes)
        .values(like_count=comment_likes, updated_at=Comment.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if repairs or liked_wrong:
        bump_content_version(db.session)
    db.session.commit()
    return repairs, liked_wrong
