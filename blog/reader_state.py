"""What a post page shows of the reader looking at it, read before the page renders.

The comment list's markup is shared by every reader (blog/comment_html.py); what differs from one
reader to the next is this small record: who they are, whether they liked the post, which of its
comments they liked. Views read it here and hand it to the templates, which query nothing.
"""

from dataclasses import dataclass

from flask import request
from flask_wtf.csrf import generate_csrf

from auth.models import Identity
from auth.services import current_identity
from blog import likes
from blog.comment_html import CommentLikes
from blog.models import Post


@dataclass(frozen=True)
class Reader:
    identity: Identity | None  # the provider account a logged-in reader came with, if any
    post_likes: likes.PostLikes
    comment_likes: CommentLikes | None  # None for a logged-out reader: counts only, no buttons


def reader_of(post: Post, user) -> Reader:
    """The reader's part of the post page; anyone may call (a logged-out reader gets the counts alone)."""
    post_likes = likes.post_likes(post, user)
    if not user.is_authenticated:
        return Reader(identity=None, post_likes=post_likes, comment_likes=None)
    return Reader(identity=current_identity(), post_likes=post_likes, comment_likes=comment_likes_of(user, post.id))


def comment_likes_of(user, post_id: int) -> CommentLikes:
    """Which of the post's comments a logged-in reader liked, and the token their Like forms carry."""
    return CommentLikes(liked_ids=frozenset(likes.liked_comment_ids(user, post_id)), csrf_token=generate_csrf(),
                        script_root=request.script_root)
