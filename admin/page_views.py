"""The Pages screen, as WordPress's edit.php?post_type=page: the page tree with status and date,
and the editor with its Page Attributes box (parent, order). The same capabilities as posts: every
screen needs EDIT_POSTS, and a page is opened only by who may edit it (auth.roles.may_edit_post)."""

import sqlalchemy as sa
from flask import render_template, request

from admin import bp, requires
from admin.forms import PageForm
from admin.post_views import acting_user, delete_with_confirmation, editable_post, run_editor, to_local
from admin.queries import posts_listed_for
from auth.roles import EDIT_POSTS, may_edit_post
from blog.models import Post
from blog.posts import (
    date_floating,
    is_scheduled,
    page_descendant_ids,
    pages_in_order,
    status_choices,
    visibility_of,
)
from core.i18n import gettext as _


@bp.get("/pages/")
@requires(EDIT_POSTS)
def pages():
    """The pages this user may work on (everyone's for Editors, their own for Authors), each under
    its parent, with status and date."""
    user = acting_user()
    rows = pages_in_order(posts_listed_for(user, sa.select(Post).where(Post.kind == "page")))
    return render_template("admin/pages.html", rows=rows, is_scheduled=is_scheduled,
                           editable={page.id for page, _ in rows if may_edit_post(user, page)})


@bp.route("/pages/new", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def page_new():
    """Write a new page, by the current user."""
    form = PageForm(data=None if request.method == "POST" else {"comments_open": False})
    form.parent.choices = parent_choices(None)
    return run_editor(None, form, "page")


@bp.route("/pages/<int:post_id>/edit", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def page_edit(post_id: int):
    """Edit a page this user may edit."""
    page = editable_post(post_id, "page")
    form = PageForm(obj=page if request.method == "GET" else None, status=page.status,
                    visibility=visibility_of(page))
    form.status.choices = status_choices(page)
    form.parent.choices = parent_choices(page)
    if request.method == "GET":
        form.published_at.data = None if date_floating(page) else to_local(page.published_at)
        form.parent.data = page.parent_id or 0
    return run_editor(page, form, "page")


@bp.route("/pages/<int:post_id>/delete", methods=["GET", "POST"])
@requires(EDIT_POSTS)
def page_delete(post_id: int):
    """Delete a page this user may edit, and its comments, after a confirmation page; its subpages
    move up to its parent."""
    return delete_with_confirmation(editable_post(post_id, "page"), "admin.pages", "admin/page_delete.html")


def parent_choices(page: Post | None) -> list[tuple[int, str]]:
    """(Main Page) and every page but this one and its subpages, indented under their parents."""
    exclude = {page.id} | page_descendant_ids(page.id) if page else set()
    query = sa.select(Post).where(Post.kind == "page", Post.status != "trash")
    return [(0, _("(no parent)"))] + [(other.id, "— " * depth + other.title)
                                   for other, depth in pages_in_order(query) if other.id not in exclude]
