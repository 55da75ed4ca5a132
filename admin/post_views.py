"""Writing posts: the list, the Markdown editor with its Publish box and preview, deleting. Every
screen needs EDIT_POSTS, and a post is opened only by who may edit it (auth.roles.may_edit_post)."""

from datetime import datetime
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from admin import bp, requires
from admin.forms import ActionForm, EditorForm, PostForm
from admin.media_queries import featured_choices
from admin.queries import pending_by_post, post_counts, posts_query
from auth.roles import EDIT_POSTS, PUBLISH_POSTS, UPLOAD_FILES, may_edit_post, may_moderate_comments_on
from blog import terms
from blog.media.models import Media
from blog.models import POST_STATUSES, Post
from blog.permalinks import blog_timezone
from blog.posts import (
    FeaturedImageRefused,
    PageRefused,
    PostDraft,
    PublishRefused,
    date_floating,
    delete_post,
    images_without_alt,
    is_scheduled,
    preview_html,
    publish_box,
    save_post,
    status_choices,
    visibility_of,
)
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db

POSTS_PER_PAGE = 20
UNMADE_DEFAULT = 0  # the Categories box's value for the default category before it exists


def acting_user():
    return current_user._get_current_object()


def editable_post(post_id: int, kind: str = "post") -> Post:
    """The post (or page), if this user may edit it: 404 when there is none, 403 when it is someone else's."""
    post = db.get_or_404(Post, post_id)
    if post.kind != kind:
        abort(404)
    if not may_edit_post(acting_user(), post):
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
    user = acting_user()
    page = db.paginate(posts_query(status, user).options(selectinload(Post.terms)),
                       page=request.args.get("paged", 1, type=int),
                       per_page=POSTS_PER_PAGE, error_out=False)
    return render_template("admin/posts.html", page=page, status=status, counts=post_counts(user),
                           pending=pending_by_post({p.id for p in page.items}), is_scheduled=is_scheduled,
                           editable={p.id for p in page.items if may_edit_post(user, p)})


@bp.route("/posts/new", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_new():
    """Write a new post, by the current user."""
    form = PostForm(data=None if request.method == "POST" else {"comments_open": True})
    form.categories.choices = category_choices()
    if request.method == "GET":
        form.categories.data = [terms.default_category_id() or UNMADE_DEFAULT]
    _offer_featured(form, None)
    return run_editor(None, form)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_edit(post_id: int):
    """Edit a post this user may edit."""
    post = editable_post(post_id)
    # A field the request leaves out keeps the post's value: a sent form without Status is no revert.
    form = PostForm(obj=post if request.method == "GET" else None, status=post.status, visibility=visibility_of(post))
    form.status.choices = status_choices(post)
    form.categories.choices = category_choices()
    if request.method == "GET":
        form.published_at.data = None if date_floating(post) else to_local(post.published_at)
        form.categories.data = [t.id for t in post.terms if t.taxonomy == "category"]
        form.tags_text.data = ", ".join(sorted((t.name for t in post.terms if t.taxonomy == "tag"), key=str.casefold))
    _offer_featured(form, post)
    return run_editor(post, form)


def _offer_featured(form: PostForm, post: Post | None) -> None:
    """The Featured image box's choices: none, the post's own images, then the recent ready ones."""
    current = post.featured_media_id if post else None
    offered = featured_choices(post.id if post else None, current)
    form.featured_media_id.choices = [(0, _("No featured image")),
                                      *((media.id, media.title or media.original_name) for media in offered)]
    if request.method == "GET":
        form.featured_media_id.data = current or 0


def category_choices() -> list[tuple[int, str]]:
    unmade = [(UNMADE_DEFAULT, terms.default_category_names()[0])] if terms.default_category_id() is None else []
    return unmade + [(term.id, term.name) for term, _depth in terms.categories_in_order()]


def _category_checklist() -> list[dict]:
    """The Categories box's tree; until the default category exists it shows as a box of its own,
    which saving leaves to blog.terms (a post without a category gets the default one)."""
    tree = terms.category_tree()
    if terms.default_category_id() is None:
        unmade = SimpleNamespace(id=UNMADE_DEFAULT, name=terms.default_category_names()[0])
        tree.insert(0, {"term": unmade, "children": []})
    return tree


def run_editor(post: Post | None, form: EditorForm, kind: str = "post"):
    """Preview re-shows the editor with the rendered body; the other buttons save and come back."""
    if form.validate_on_submit():
        if form.preview.data:
            return _editor_page(post, form, kind, preview_html(form.body.data or ""))
        try:
            saved = save_post(post, _draft(form, kind), acting_user(), kind)
        except PublishRefused as refusal:
            db.session.rollback()
            return _editor_page(post, form, kind, refused=str(refusal)), 403
        except PageRefused as refusal:
            db.session.rollback()
            form.slug.errors.append(str(refusal))
            return _editor_page(post, form, kind), 400
        except FeaturedImageRefused as refusal:
            db.session.rollback()
            form.featured_media_id.errors.append(str(refusal))
            return _editor_page(post, form, kind), 400
        flash(saved.message, "success")
        if missing := images_without_alt(saved.post.body):
            flash(_missing_alt_message(missing), "warning")
        return redirect(url_for(f"admin.{kind}_edit", post_id=saved.post.id), 303)
    return _editor_page(post, form, kind), 400 if form.errors else 200


def _draft(form: EditorForm, kind: str) -> PostDraft:
    """What the editor sent, as blog.posts takes it."""
    fields = {}
    if kind == "page":
        fields = {"parent_id": form.parent.data or None, "menu_order": form.menu_order.data or 0}
    elif form.terms_shown.data:
        fields = {"category_ids": tuple(form.categories.data or ()), "tags": form.tags_text.data or "",
                  "sticky": form.sticky.data if acting_user().can(PUBLISH_POSTS) else None,
                  "featured_media_id": form.featured_media_id.data or 0}
    return PostDraft(
        title=form.title.data, slug=form.slug.data or "", body=form.body.data or "",
        excerpt=form.excerpt.data or "", published_at=_utc(form.published_at.data),
        comments_open=form.comments_open.data, action=form.action(), status=form.status.data,
        visibility=form.visibility.data, password=form.password.data or "", **fields)


def _editor_page(post: Post | None, form: EditorForm, kind: str = "post", preview: str | None = None,
                 refused: str | None = None) -> str:
    user = acting_user()
    box = publish_box(post, _utc(form.published_at.data), form.visibility.data, user.can(PUBLISH_POSTS))
    return render_template("admin/post_edit.html", post=post, form=form, preview=preview, box=box, refused=refused,
                           kind=kind, category_tree=_category_checklist() if kind == "post" else [],
                           tag_suggestions=terms.popular_tags() if kind == "post" else [],
                           may_publish=user.can(PUBLISH_POSTS),
                           may_moderate=post is not None and may_moderate_comments_on(user, post),
                           local_now=to_local(utcnow()).strftime("%Y-%m-%dT%H:%M"),
                           may_upload=user.can(UPLOAD_FILES), missing_alt=images_without_alt(form.body.data or ""),
                           featured=_featured_shown(form) if kind == "post" else None)


def _featured_shown(form: PostForm) -> Media | None:
    chosen = form.featured_media_id.data
    return db.session.get(Media, chosen) if isinstance(chosen, int) and chosen > 0 else None


def _missing_alt_message(count: int) -> str:
    return ngettext("%(num)d image has no alt text (![](…)): describe each image between the brackets for "
                    "readers who cannot see it.",
                    "%(num)d images have no alt text (![](…)): describe each image between the brackets for "
                    "readers who cannot see it.", count)


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def post_delete(post_id: int):
    """Delete a post this user may edit, and its comments, after a confirmation page."""
    return delete_with_confirmation(editable_post(post_id), "admin.posts")


def delete_with_confirmation(post: Post, back: str, template: str = "admin/post_delete.html"):
    """The confirmation page, then the deletion and the list it came from."""
    form = ActionForm()
    if form.validate_on_submit():
        title = post.title
        removed = delete_post(post)
        flash(_deleted_message(title, removed), "success")
        return redirect(url_for(back), 303)
    return render_template(template, post=post, form=form)


def _deleted_message(title: str, comments: int) -> str:
    if not comments:
        return _("“%(title)s” was deleted.", title=title)
    return ngettext("“%(title)s” and its %(num)d comment was deleted.",
                    "“%(title)s” and its %(num)d comments were deleted.", comments, title=title)


def to_local(moment: datetime) -> datetime:
    """A stored UTC time as the naive local time a datetime-local input shows."""
    return moment.astimezone(blog_timezone()).replace(tzinfo=None)


def _utc(local: datetime | None) -> datetime | None:
    """The editor's local time as an aware one (None stays None: publish immediately)."""
    return local.replace(tzinfo=blog_timezone()) if local else None
