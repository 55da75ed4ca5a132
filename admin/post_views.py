"""Writing posts: the list, the Markdown editor with its Publish box and preview, deleting. Every
screen needs EDIT_POSTS, and a post is opened only by who may edit it (auth.roles.may_edit_post)."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp, requires
from admin.forms import ActionForm, PostForm
from admin.queries import pending_by_post, post_counts, posts_query
from auth.roles import EDIT_POSTS, PUBLISH_POSTS, may_edit_post, may_moderate_comments_on
from blog.models import POST_STATUSES, Post
from blog.permalinks import blog_timezone
from blog.posts import (
    PostDraft,
    PublishRefused,
    date_floating,
    delete_post,
    is_scheduled,
    preview_html,
    publish_box,
    save_post,
    status_choices,
    visibility_of,
)
from core.dbtypes import utcnow
from extensions import db

POSTS_PER_PAGE = 20


def _user():
    return current_user._get_current_object()


def _editable_post(post_id: int) -> Post:
    """The post, if this user may edit it: 404 when there is none, 403 when it is someone else's."""
    post = db.get_or_404(Post, post_id)
    if not may_edit_post(_user(), post):
        abort(403)
    return post


@bp.get("/posts")
@requires(EDIT_POSTS)
def posts():
    """The posts this user may work on (everyone's for Editors, their own for Authors and
    Contributors) with status and comment counts, newest first."""
    status = request.args.get("post_status") or None
    if status is not None and status not in POST_STATUSES:
        abort(404)
    user = _user()
    page = db.paginate(posts_query(status, user), page=request.args.get("paged", 1, type=int),
                       per_page=POSTS_PER_PAGE, error_out=False)
    return render_template("admin/posts.html", page=page, status=status, counts=post_counts(user),
                           pending=pending_by_post({p.id for p in page.items}), is_scheduled=is_scheduled,
                           editable={p.id for p in page.items if may_edit_post(user, p)})


@bp.route("/posts/new", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_new():
    """Write a new post, by the current user."""
    form = PostForm(data=None if request.method == "POST" else {"comments_open": True})
    return _editor(None, form)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_edit(post_id: int):
    """Edit a post this user may edit."""
    post = _editable_post(post_id)
    # A field the request leaves out keeps the post's value: a sent form without Status is no revert.
    form = PostForm(obj=post if request.method == "GET" else None, status=post.status, visibility=visibility_of(post))
    form.status.choices = status_choices(post)
    if request.method == "GET":
        form.published_at.data = None if date_floating(post) else _local(post.published_at)
    return _editor(post, form)


def _editor(post: Post | None, form: PostForm):
    """Preview re-shows the editor with the rendered body; the other buttons save and come back."""
    if form.validate_on_submit():
        if form.preview.data:
            return _editor_page(post, form, preview_html(form.body.data or ""))
        try:
            saved = save_post(post, PostDraft(
                title=form.title.data, slug=form.slug.data or "", body=form.body.data or "",
                excerpt=form.excerpt.data or "", published_at=_utc(form.published_at.data),
                comments_open=form.comments_open.data, action=form.action(), status=form.status.data,
                visibility=form.visibility.data, password=form.password.data or "",
            ), _user())
        except PublishRefused as refusal:
            return _editor_page(post, form, refused=str(refusal)), 403
        flash(saved.message, "success")
        return redirect(url_for("admin.post_edit", post_id=saved.post.id), 303)
    return _editor_page(post, form), 400 if form.errors else 200


def _editor_page(post: Post | None, form: PostForm, preview: str | None = None, refused: str | None = None) -> str:
    user = _user()
    box = publish_box(post, _utc(form.published_at.data), form.visibility.data, user.can(PUBLISH_POSTS))
    return render_template("admin/post_edit.html", post=post, form=form, preview=preview, box=box, refused=refused,
                           may_moderate=post is not None and may_moderate_comments_on(user, post),
                           local_now=_local(utcnow()).strftime("%Y-%m-%dT%H:%M"))


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_delete(post_id: int):
    """Delete a post this user may edit, and its comments, after a confirmation page."""
    post = _editable_post(post_id)
    form = ActionForm()
    if form.validate_on_submit():
        title = post.title
        removed = delete_post(post)
        flash(_deleted_message(title, removed), "success")
        return redirect(url_for("admin.posts"), 303)
    return render_template("admin/post_delete.html", post=post, form=form)


def _deleted_message(title: str, comments: int) -> str:
    if not comments:
        return f"“{title}” was deleted."
    return f"“{title}” and its {comments} comment{'s were' if comments != 1 else ' was'} deleted."


def _local(moment: datetime) -> datetime:
    """A stored UTC time as the naive local time a datetime-local input shows."""
    return moment.astimezone(blog_timezone()).replace(tzinfo=None)


def _utc(local: datetime | None) -> datetime | None:
    """The editor's local time as an aware one (None stays None: publish immediately)."""
    return local.replace(tzinfo=blog_timezone()) if local else None
