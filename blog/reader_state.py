"""What a post page shows of the reader looking at it, read before the page renders.

The comment list's markup is shared by every reader (blog/comment_html.py); what differs from one
reader to the next is this small record: who they are, whether they liked the post, which of its
comments they liked, whether they may moderate them (an Edit link on each). Views read it here and
hand it to the templates, which query nothing.
"""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf

from auth.models import Identity
from auth.roles import may_moderate_comments_on
from auth.services import current_identity
from blog import commenters, likes
from blog.comment_edits import Proof, editable_ids
from blog.comment_html import CommentLikes
from blog.models import Post
from core.dbtypes import utcnow

COMMENT_EDIT_ENDPOINT = "admin.comment_edit"  # the admin's comment editor, when the admin is installed
_ID_MARK = 987654321  # a comment id to build the editor's URL around, cut out again


@dataclass(frozen=True)
class Reader:
    identity: Identity | None  # the provider account a logged-in reader came with, if any
    post_likes: likes.PostLikes
    comment_likes: CommentLikes | None  # None for a logged-out reader: counts only, no buttons
    own_comment_ids: frozenset[int] = frozenset()  # the shown comments they may still edit or delete


def reader_of(post: Post, user, rows: tuple = (), settings: dict | None = None) -> Reader:
    """The reader's part of the post page; anyone may call (a logged-out reader gets the counts
    alone). `settings` given: the shown `rows` they wrote and may still change (comments open)."""
    post_likes = likes.post_likes(post, user)
    own = _own_comment_ids(user, rows, settings) if settings is not None else frozenset()
    if not user.is_authenticated:
        return Reader(identity=None, post_likes=post_likes, comment_likes=None, own_comment_ids=own)
    return Reader(identity=current_identity(), post_likes=post_likes,
                  comment_likes=comment_likes_of(user, post.id, comment_edit_url(user, post)), own_comment_ids=own)


def _own_comment_ids(user, rows: tuple, settings: dict) -> frozenset[int]:
    proof = Proof(user if user.is_authenticated else None, commenters.comment_keys(request.cookies))
    return editable_ids(rows, proof, settings, utcnow())


def comment_likes_of(user, post_id: int, edit_url: tuple[str, str] | None = None) -> CommentLikes:
    """Which of the post's comments a logged-in reader liked, the token their Like forms carry, and
    where their Edit links go (comment_edit_url)."""
    return CommentLikes(liked_ids=frozenset(likes.liked_comment_ids(user, post_id)), csrf_token=generate_csrf(),
                        script_root=request.script_root, edit_url=edit_url)


def comment_edit_url(user, post: Post) -> tuple[str, str] | None:
    """A comment's edit screen in the admin, split where the comment's id goes (so the list adds a
    link per comment without building a URL per comment), for a reader who may moderate the post's
    comments; None for everyone else."""
    if COMMENT_EDIT_ENDPOINT not in current_app.view_functions or not may_moderate_comments_on(user, post):
        return None
    head, _mark, tail = url_for(COMMENT_EDIT_ENDPOINT, comment_id=_ID_MARK).rpartition(str(_ID_MARK))
    return head, tail
