"""The comment screens, modelled on WordPress's edit-comments.php. Each needs REVIEW_COMMENTS (Empty
Spam/Trash MODERATE_COMMENTS), and every comment it lists or changes is one on a post this user may
moderate (auth.roles.may_moderate_comments_on): an Author's screen is about their own posts."""

from flask import abort, flash, get_template_attribute, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from admin import bp, requires
from admin.comment_rows import bulk_message, deleted_message, row_extras, undo_notice, undone_message
from admin.forms import ActionForm, BlockForm, BulkForm, CommentEditForm, ReplyForm, UndoForm, safe_next
from admin.queries import (
    ORDERS,
    SORTABLE_TABS,
    TABS,
    CommentFilter,
    comment_counts,
    comments_query,
    pending_by_post,
    pending_count,
    posts_of_comments,
)
from admin.report_views import reported_count
from auth.roles import MODERATE_COMMENTS, REVIEW_COMMENTS, may_moderate_comments_on
from blog.comment_admin import CommentEdit, block_author, edit_comment, reply_as_admin
from blog.comment_edits import restore_revision, revisions_of
from blog.discussion import CommentRefused
from blog.models import Comment, Post
from blog.moderation import (
    ACTIONS,
    UNDOABLE,
    ModerationRefused,
    apply_action,
    apply_bulk_action,
    empty_status,
    undo_action,
)
from blog.settings import get_settings
from blog.spam import filter as spam_filter
from core.clean_input import database_int
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.negotiation import wants_json
from extensions import db

DONE = {"approve": _l("Comment approved."), "unapprove": _l("Comment unapproved."),
        "spam": _l("Comment marked as spam."), "unspam": _l("Comment restored from the spam."),
        "trash": _l("Comment moved to the Trash."), "restore": _l("Comment restored from the Trash."),
        "delete": _l("Comment deleted permanently.")}


def moderator():
    return current_user._get_current_object()


def back(form: ActionForm | None = None) -> str:
    target = form.next.data if form is not None else request.args.get("next")
    return safe_next(target, url_for("admin.comments"))


NOT_YOURS = _l("You can moderate only the comments on your own posts.")


def _may_moderate(post: Post | None) -> None:
    """403 unless this user may moderate the comments on `post`."""
    if not may_moderate_comments_on(moderator(), post):
        abort(403, description=str(NOT_YOURS))


def _load(comment_id: int) -> Comment:
    """The comment with its post: 404 when there is none, 403 when this user may not moderate it."""
    comment = db.get_or_404(Comment, comment_id)
    post = db.session.get(Post, comment.post_id)
    _may_moderate(post)
    set_committed_value(comment, "post", post)
    return comment


def _may_moderate_all(comment_ids: list[int]) -> None:
    """403 for the whole request when any of these comments is on a post this user may not moderate,
    so that a forged id never leaves a bulk action partly applied."""
    for post in posts_of_comments(comment_ids):
        _may_moderate(post)


@bp.get("/comments")
@requires(REVIEW_COMMENTS)
def comments():
    """The moderation list of the comments this user may moderate: tabs with counts, post filter,
    search, newest or most likely spam first, paginated."""
    tab = request.args.get("comment_status", "all")
    if tab not in TABS:
        abort(404)
    order = request.args.get("orderby", "date")
    where = CommentFilter(tab, request.args.get("p", type=int), request.args.get("s", "").strip()[:200],
                          order if order in ORDERS and tab in SORTABLE_TABS else "date")
    filter_post = db.session.get(Post, database_int(where.post_id) or 0)
    if filter_post is not None:
        _may_moderate(filter_post)
    user = moderator()
    counts = comment_counts(user, where.post_id)
    # The tab's count is the list's total unless a search narrows it: no second COUNT then.
    page = db.paginate(comments_query(where, user), page=request.args.get("paged", 1, type=int),
                       per_page=int(get_settings()["admin_comments_per_page"]), error_out=False,
                       count=bool(where.search))
    if not where.search:
        page.total = counts[tab]
    return render_template(
        "admin/comments.html", page=page, where=where, counts=counts,
        extras=row_extras(page.items, user),
        bulk=BulkForm(formdata=None, next=request.full_path.rstrip("?")).for_tab(tab),
        here=request.full_path.rstrip("?"), filter_post=filter_post, may_empty=user.can(MODERATE_COMMENTS),
        reported=reported_count(user),
    )


@bp.post("/comments/<int:comment_id>/<action>")
@requires(REVIEW_COMMENTS)
def comment_action(comment_id: int, action: str):
    """A row action (approve, spam, trash, restore, delete...): in place with JS, else redirect back."""
    if action not in ACTIONS:
        abort(404)
    form = ActionForm()
    comment = _load(comment_id)
    try:
        new_status = apply_action(comment, action, moderator())
    except ModerationRefused as refusal:
        return _refused(str(refusal), form)
    post_id, author = comment.post_id, comment.author_name
    db.session.commit()
    undo = undo_notice(action, [comment_id], author) if action in UNDOABLE else None
    if wants_json():
        message = undo["text"].striptags() if undo else str(DONE[action])
        return _json_result(comment_id, post_id, new_status, message, form, undo)
    if undo:
        flash(undo, "undo")  # rendered by the layout with its Undo form
    else:
        flash(str(DONE[action]), "success")
    return redirect(back(form), 303)


def _refused(message: str, form: ActionForm, status: int = 400):
    db.session.rollback()
    if wants_json():
        return jsonify(ok=False, error=message), status
    flash(message, "error")
    return redirect(back(form), 303)


def _errors(form: ActionForm) -> str:
    """A refused form's messages in one line (plain str: validators' messages may be lazy)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _post_filter(form: ActionForm) -> int | None:
    return database_int(form.post_filter.data) if (form.post_filter.data or "").isdigit() else None


def _row_html(comment_id: int, form: ActionForm) -> str:
    comment = _load(comment_id)
    macro = get_template_attribute("admin/_comment_row.html", "comment_row")
    return str(macro(comment, row_extras([comment], moderator()), back(form), _post_filter(form)))


def _json_result(comment_id: int, post_id: int, new_status: str | None, message: str, form: ActionForm,
                 undo: dict | None = None):
    """The in-place answer: the row re-rendered (absent once deleted), the Undo line that takes
    its place after Spam or Trash, and every count it touched."""
    row = _row_html(comment_id, form) if new_status is not None else ""
    post_filter = _post_filter(form)
    undo_row = ""
    if undo is not None:
        undo_row = str(get_template_attribute("admin/_comment_row.html", "undo_row")(undo, back(form), post_filter))
    return jsonify(ok=True, id=comment_id, status=new_status, message=message, row=row, undo=undo_row,
                   counts=comment_counts(moderator(), post_filter), pending=pending_count(moderator()),
                   post_id=post_id, post_pending=pending_by_post({post_id}).get(post_id, 0))


@bp.post("/comments/bulk")
@requires(REVIEW_COMMENTS)
def comments_bulk():
    """Apply one action to the selected rows, all of them comments this user may moderate."""
    form = BulkForm()
    if not form.validate():
        flash(_errors(form), "error")
        return redirect(back(form), 303)
    _may_moderate_all(form.ids.data)
    action = form.action.data
    changed = apply_bulk_action(form.ids.data, action, moderator())
    if changed and action in UNDOABLE:
        flash(undo_notice(action, changed), "undo")
    else:
        flash(bulk_message(action, len(changed)), "success")
    return redirect(back(form), 303)


@bp.post("/comments/undo")
@requires(REVIEW_COMMENTS)
def comments_undo():
    """Undo Spam or Trash: the comments (all of them ones this user may moderate) go back to the
    status they left."""
    form = UndoForm()
    if not form.validate():
        return _refused(_errors(form), form)
    _may_moderate_all(form.ids.data)
    restored = undo_action(form.ids.data, form.action.data, moderator())
    if not restored:
        return _refused(_("Nothing to undo: those comments have moved since."), form, 409)
    message = undone_message(restored)
    if wants_json():
        first = restored[0]
        return _json_result(first.id, first.post_id, first.status, message, form)
    flash(message, "success")
    return redirect(back(form), 303)


@bp.post("/comments/empty/<status>")
@requires(MODERATE_COMMENTS)
def comments_empty(status: str):
    """Empty Spam / Empty Trash: delete every comment in it for good."""
    if status not in ("spam", "trash"):
        abort(404)
    form = ActionForm()
    removed = empty_status(status, moderator())
    flash(deleted_message(removed), "success")
    return redirect(back(form), 303)


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@requires(REVIEW_COMMENTS)
def comment_reply(comment_id: int):
    """Reply as this user, threaded under the comment (approving it when pending)."""
    comment = _load(comment_id)
    form = ReplyForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            reply = reply_as_admin(comment, form.body.data, moderator(), request.remote_addr or "",
                                   request.user_agent.string)
        except CommentRefused as refusal:
            if wants_json():
                return _refused(refusal.message, form, refusal.status)
            return render_template("admin/reply.html", comment=_load(comment_id), form=form,
                                   error=refusal.message, cancel=back(form)), refusal.status
        if wants_json():
            return _reply_json(comment_id, reply, form)
        flash(_("Reply posted."), "success")
        return redirect(back(form), 303)
    status = 400 if form.is_submitted() else 200
    if wants_json() and status == 400:
        return jsonify(ok=False, error=_("Please type your reply.")), 400
    return render_template("admin/reply.html", comment=comment, form=form, error=None, cancel=back(form)), status


def _reply_json(parent_id: int, reply: Comment, form: ActionForm):
    """The parent's row and the new reply's own row, which the list shows right under it."""
    reply_id = reply.id
    response = _json_result(parent_id, reply.post_id, "approved", _("Reply posted."), form)
    payload = response.get_json()
    payload |= {"reply_id": reply_id, "reply_row": _row_html(reply_id, form)}
    return jsonify(payload)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@requires(REVIEW_COMMENTS)
def comment_edit(comment_id: int):
    """Edit a comment's text, author fields and status."""
    comment = _load(comment_id)
    form = CommentEditForm(obj=comment if request.method == "GET" else None, next=request.args.get("next"))
    if form.validate_on_submit():
        edit_comment(comment, CommentEdit(form.body.data, form.author_name.data or "", form.author_email.data or "",
                                          form.author_url.data or "", form.status.data), moderator())
        if wants_json():
            return _json_result(comment_id, comment.post_id, comment.status, _("Comment updated."), form)
        flash(_("Comment updated."), "success")
        return redirect(back(form), 303)
    if wants_json() and form.is_submitted():
        return jsonify(ok=False, error=_errors(form)), 400
    return (render_template("admin/edit_comment.html", comment=comment, form=form, cancel=back(form),
                            revisions=revisions_of(comment_id), restore_form=ActionForm(),
                            filter_view=spam_filter.explain(comment), min_examples=spam_filter.MIN_EXAMPLES),
            400 if form.errors else 200)


@bp.post("/comments/<int:comment_id>/revisions/<int:revision_id>/restore")
@requires(REVIEW_COMMENTS)
def comment_restore_revision(comment_id: int, revision_id: int):
    """Bring back an earlier text of a comment; its current text is kept as a revision too."""
    comment = _load(comment_id)
    if not ActionForm().validate():
        abort(400)
    try:
        restore_revision(comment, revision_id, moderator())
    except CommentRefused as refusal:
        abort(refusal.status, description=refusal.message)
    flash(_("The earlier text was restored; the text it replaced is kept in the history."), "success")
    return redirect(url_for("admin.comment_edit", comment_id=comment_id), 303)


@bp.post("/comments/<int:comment_id>/block")
@requires(MODERATE_COMMENTS)  # the disallowed list holds for the whole blog, not one author's posts
def comment_block(comment_id: int):
    """Block the comment's author: add its email or IP to the disallowed list."""
    form = BlockForm()
    comment = _load(comment_id)
    if not form.validate():
        return _refused(_("Block the email or the IP."), form)
    try:
        key = block_author(comment, form.what.data, moderator())
    except CommentRefused as refusal:
        return _refused(refusal.message, form)
    message = _("“%(key)s” is on the disallowed list: comments matching it go to the Trash.", key=key)
    if wants_json():
        return jsonify(ok=True, id=comment_id, message=message)
    flash(message, "success")
    return redirect(back(form), 303)
