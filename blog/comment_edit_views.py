"""A commenter's own comment: edit or delete it within the edit window, in place (comment-edit.js)
or on a page of its own. Only the browser that wrote it, or its author's account, may."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from blog import bp, commenters
from blog.comment_edits import (
    Proof,
    author_delete,
    author_edit,
    check_may_change,
    is_shadow,
    seen_mark,
    window_closes,
)
from blog.discussion import CommentRefused
from blog.forms import OwnCommentDeleteForm, OwnCommentEditForm
from blog.models import Comment, Post
from blog.permalinks import post_url
from blog.rendering import render_comment
from blog.settings import get_settings
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.negotiation import wants_json
from extensions import db, limiter


def _proof() -> Proof:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return Proof(user, commenters.comment_keys(request.cookies))


def _refused(refusal: CommentRefused, comment: Comment | None, post: Post | None):
    if wants_json():
        return jsonify(ok=False, error=refusal.message), refusal.status
    return render_template("blog/own_comment_refused.html", message=refusal.message, comment=comment,
                           post=post), refusal.status


def _own_comment(comment_id: int) -> tuple[Comment, Post]:
    """The comment and its post for a reader who may change it now; CommentRefused otherwise (a
    comment this reader may not see at all is a 404, as on its permalink)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not commenters.may_see(comment, request.cookies, current_user):
        abort(404)
    post = db.session.get(Post, comment.post_id)
    check_may_change(comment, post, _proof(), get_settings(), utcnow())
    return comment, post


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], methods=["POST"])
def edit_own_comment(comment_id: int):
    """Edit one's own comment within the edit window; its author's browser or account may."""
    comment = post = None
    try:
        comment, post = _own_comment(comment_id)
        form = OwnCommentEditForm(data={"comment": comment.body, "seen": seen_mark(comment)}
                                  if request.method == "GET" else None)
        if not form.validate_on_submit():
            return _edit_page(comment, post, form)
        edited = author_edit(comment_id, form.comment.data, form.seen.data, _proof(), get_settings())
    except CommentRefused as refusal:
        db.session.rollback()
        return _refused(refusal, comment, post)
    response = _after_edit(edited.comment, edited.held_reason)
    commenters.remember_comment_key(response, request.cookies, comment_id, edited.new_key)
    return response


def _edit_page(comment: Comment, post: Post, form: OwnCommentEditForm):
    if wants_json() and form.is_submitted():
        return jsonify(ok=False, error=" ".join(str(e) for errs in form.errors.values() for e in errs)), 400
    return render_template("blog/own_comment_edit.html", comment=comment, post=post, form=form,
                           closes=window_closes(comment.created_at, get_settings())), 400 if form.errors else 200


def _after_edit(comment: Comment, held_reason: str):
    """What the reader sees once the edit is saved: the new text in place, or their comment's page."""
    message = (_("Your edit was saved; the comment now awaits moderation again.") if held_reason
               else _("Your edit was saved."))
    if wants_json():
        # A shadow-banned author's comment reads as published to them, in the answer too.
        status = "approved" if is_shadow(comment) else comment.status
        return jsonify(ok=True, message=message, status=status, content=str(render_comment(comment.body)),
                       edited_at=comment.edited_at.isoformat())
    flash(message, "info" if held_reason else "success")
    return redirect(url_for("blog.comment_link", comment_id=comment.id), 303)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], methods=["POST"])
def delete_own_comment(comment_id: int):
    """Delete one's own comment within the edit window; its author's browser or account may."""
    comment = post = None
    try:
        comment, post = _own_comment(comment_id)
        form = OwnCommentDeleteForm(data={"seen": seen_mark(comment)} if request.method == "GET" else None)
        if not form.validate_on_submit():
            return render_template("blog/own_comment_delete.html", comment=comment, post=post,
                                   form=form), 400 if form.errors else 200
        removed = author_delete(comment_id, form.seen.data, _proof(), get_settings())
    except CommentRefused as refusal:
        db.session.rollback()
        return _refused(refusal, comment, post)
    message = _("Your comment was deleted.") if removed else \
        _("Your comment was deleted; the replies to it stay, under “This comment was deleted by its author”.")
    if wants_json():
        return jsonify(ok=True, message=message, removed=removed)
    flash(message, "success")
    return redirect(post_url(post) + "#comments", 303)
