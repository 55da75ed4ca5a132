"""Like and unlike buttons: CSRF-protected POSTs for logged-in readers, JSON for fetch()."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from blog import bp, likes, protected_posts
from blog.comment_html import comment_like_form
from blog.likes import LIKES_FLASH
from blog.permalinks import post_url
from blog.reader_state import comment_likes_of
from core.i18n import gettext as _
from core.negotiation import wants_json
from extensions import db, limiter


def _reader_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else f"ip:{get_remote_address()}"


def _too_many_likes() -> str:
    return _("That was a lot of likes in a short time: please wait a minute and try again.")


# Likes and unlikes of posts and comments share one count per reader and one per address.
limit_per_reader = limiter.shared_limit(lambda: current_app.config["LIKE_RATE_LIMIT_PER_READER"],
                                        scope="likes-per-reader", key_func=_reader_key,
                                        error_message=_too_many_likes)
limit_per_address = limiter.shared_limit(lambda: current_app.config["LIKE_RATE_LIMIT_PER_ADDRESS"],
                                         scope="likes-per-address", error_message=_too_many_likes)


bp.add_app_template_global(LIKES_FLASH, "likes_flash")


def _login_needed(post):
    """Tell a logged-out reader to log in, at the like box they used, not at the top of the page."""
    message = _("Log in to like this.")
    if wants_json():
        note = render_template("notify/_like_login.html", post=post)
        return jsonify(error=message, login_html=note), 401
    flash(message, LIKES_FLASH)  # shown inside the like box, not with the page's notices
    return redirect(post_url(post, _anchor=f"likes-post-{post.id}"))


@bp.post("/posts/<int:post_id>/like", endpoint="like_post", defaults={"like": True})
@bp.post("/posts/<int:post_id>/unlike", endpoint="unlike_post", defaults={"like": False})
@limit_per_reader
@limit_per_address
def post_like(post_id: int, like: bool):
    """Like or unlike a visible post; a logged-in reader only (others are sent to log in)."""
    post = likes.likeable_post(post_id) or abort(404)
    if protected_posts.locked(post, request.cookies):
        abort(403, _(protected_posts.LIKE_REFUSED))
    if not current_user.is_authenticated:
        return _login_needed(post)
    (likes.like_post if like else likes.unlike_post)(current_user, post)
    db.session.commit()
    if wants_json():
        state = likes.post_likes(post, current_user)
        html = render_template("notify/_post_likes.html", post=post, likes=state)
        return jsonify(liked=state.liked, count=state.count, html=html)
    return redirect(post_url(post, _anchor=f"likes-post-{post.id}"))


@bp.post("/comments/<int:comment_id>/like", endpoint="like_comment", defaults={"like": True})
@bp.post("/comments/<int:comment_id>/unlike", endpoint="unlike_comment", defaults={"like": False})
@limit_per_reader
@limit_per_address
def comment_like(comment_id: int, like: bool):
    """Like or unlike an approved comment; a logged-in reader only."""
    comment, post = likes.likeable_comment(comment_id) or abort(404)
    if protected_posts.locked(post, request.cookies):
        abort(403, _(protected_posts.LIKE_REFUSED))  # its comments' counts stay hidden too
    if not current_user.is_authenticated:
        return _login_needed(post)
    (likes.like_comment if like else likes.unlike_comment)(current_user, comment)
    db.session.commit()
    if wants_json():
        return _comment_like_json(comment, post)
    return redirect(post_url(post, _anchor=f"comment-{comment.id}"))


def _comment_like_json(comment, post):
    """The comment's Like form as the list now shows it to this reader, and its numbers, for likes.js."""
    db.session.refresh(comment)
    reader_likes = comment_likes_of(current_user, post.id)
    liked = comment.id in reader_likes.liked_ids
    html = comment_like_form(comment.id, comment.author_name, comment.like_count, liked, reader_likes)
    return jsonify(liked=liked, count=comment.like_count, html=html)
