"""Writing posts: the list, the Markdown editor with preview, deleting; administrators only (bp guard)."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.forms import ActionForm, PostForm
from admin.queries import pending_by_post, post_counts, posts_query
from blog.models import POST_STATUSES, Post
from blog.permalinks import blog_timezone
from blog.posts import PostDraft, delete_post, is_scheduled, preview_html, save_post
from dbtypes import utcnow
from extensions import db

POSTS_PER_PAGE = 20


@bp.get("/posts")
def posts():
    """Every post with its status and comment counts, newest first."""
    status = request.args.get("post_status") or None
    if status is not None and status not in POST_STATUSES:
        abort(404)
    page = db.paginate(posts_query(status), page=request.args.get("paged", 1, type=int),
                       per_page=POSTS_PER_PAGE, error_out=False)
    return render_template("admin/posts.html", page=page, status=status, counts=post_counts(),
                           pending=pending_by_post({p.id for p in page.items}), is_scheduled=is_scheduled)


@bp.route("/posts/new", methods=["GET", "POST"])
def post_new():
    """Write a new post."""
    form = PostForm(data=None if request.method == "POST" else {
        "published_at": _local(utcnow()).replace(second=0, microsecond=0), "comments_open": True})
    return _editor(None, form)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def post_edit(post_id: int):
    """Edit a post."""
    post = db.get_or_404(Post, post_id)
    form = PostForm(obj=post if request.method == "GET" else None)
    if request.method == "GET":
        form.published_at.data = _local(post.published_at)
    if post.status not in ("draft", "published"):
        form.status.choices = [*form.status.choices, (post.status, post.status.capitalize())]
    return _editor(post, form)


def _editor(post: Post | None, form: PostForm):
    """Preview re-shows the editor with the rendered body; Save stores and returns to the editor."""
    if form.validate_on_submit():
        if form.preview.data:
            return render_template("admin/post_edit.html", post=post, form=form,
                                   preview=preview_html(form.body.data or ""))
        saved = save_post(post, PostDraft(
            title=form.title.data, slug=form.slug.data or "", body=form.body.data or "",
            excerpt=form.excerpt.data or "", published_at=_utc(form.published_at.data),
            status=form.status.data, comments_open=form.comments_open.data,
        ), current_user._get_current_object())
        flash("Post saved." if post else "Post created.", "success")
        return redirect(url_for("admin.post_edit", post_id=saved.id), 303)
    status = 400 if form.errors else 200
    return render_template("admin/post_edit.html", post=post, form=form, preview=None), status


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
def post_delete(post_id: int):
    """Delete a post and its comments, after a confirmation page."""
    post = db.get_or_404(Post, post_id)
    form = ActionForm()
    if form.validate_on_submit():
        title = post.title
        removed = delete_post(post)
        flash(f"“{title}” and its {removed} comment{'s' if removed != 1 else ''} were deleted.", "success")
        return redirect(url_for("admin.posts"), 303)
    return render_template("admin/post_delete.html", post=post, form=form)


def _local(moment: datetime) -> datetime:
    """A stored UTC time as the naive local time a datetime-local input shows."""
    return moment.astimezone(blog_timezone()).replace(tzinfo=None)


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=blog_timezone())
