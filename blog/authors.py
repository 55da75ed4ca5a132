"""What the blog keeps of a user, counted for the Users screen and handed over when they are removed.

`init_app` (called by blog.init_app) connects hand_over to auth.accounts.user_removing for the app.
"""

import sqlalchemy as sa
from flask import Flask

from auth.accounts import AccountError, user_removing
from auth.models import User
from blog.content_version import bump_content_version, bump_likes_version
from blog.models import Comment, CommentLike, Post, PostLike
from core.i18n import ngettext
from extensions import db


def post_counts(user_ids) -> dict[int, int]:
    """How many posts and pages (of any status) each of these users wrote."""
    rows = db.session.execute(
        sa.select(Post.author_id, sa.func.count()).where(Post.author_id.in_(list(user_ids)))
        .group_by(Post.author_id))
    return {author_id: count for author_id, count in rows}


def hand_over(_app, user: User, heir: User | None) -> None:
    """Give `user`'s posts to `heir`; keep their comments (text and name) without the link to the
    account; take back their likes. In the removing transaction, before the user's row goes."""
    owned = post_counts([user.id]).get(user.id, 0)
    if owned and heir is None:
        raise AccountError(ngettext("%(name)s has %(num)d post: choose who gets them.",
                                    "%(name)s has %(num)d posts: choose who gets them.", owned, name=user.display_name))
    if owned:
        db.session.execute(sa.update(Post).where(Post.author_id == user.id)
                           .values(author_id=heir.id, updated_at=Post.updated_at)
                           .execution_options(synchronize_session=False))
    db.session.execute(sa.update(Comment).where(Comment.user_id == user.id)
                       .values(user_id=None, updated_at=Comment.updated_at)
                       .execution_options(synchronize_session=False))
    _take_back_likes(user.id)
    bump_content_version(db.session)  # author names and comment markup on public pages change


def _take_back_likes(user_id: int) -> None:
    liked_posts = sa.select(PostLike.post_id).where(PostLike.user_id == user_id)
    liked_comments = sa.select(CommentLike.comment_id).where(CommentLike.user_id == user_id)
    posts = db.session.execute(sa.update(Post).where(Post.id.in_(liked_posts))
                               .values(like_count=Post.like_count - 1, updated_at=Post.updated_at)
                               .execution_options(synchronize_session=False)).rowcount
    comments = db.session.execute(sa.update(Comment).where(Comment.id.in_(liked_comments))
                                  .values(like_count=Comment.like_count - 1, updated_at=Comment.updated_at)
                                  .execution_options(synchronize_session=False)).rowcount
    db.session.execute(sa.delete(PostLike).where(PostLike.user_id == user_id))
    db.session.execute(sa.delete(CommentLike).where(CommentLike.user_id == user_id))
    if posts or comments:
        bump_likes_version(db.session)


def init_app(app: Flask) -> None:
    user_removing.connect(hand_over, sender=app)
