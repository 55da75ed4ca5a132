"""The Reported tab: comments readers reported, with their reasons, and Dismiss. It needs
REVIEW_COMMENTS, and lists and changes only comments on posts this user may moderate (an
Author's tab is about their own posts), as the other comment screens do."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from admin import bp, requires
from admin.forms import ActionForm, safe_next
from admin.queries import moderated_by
from auth.roles import REVIEW_COMMENTS, may_moderate_comments_on
from blog.models import Comment, Post
from blog.settings import get_settings
from blog.spam.models import CommentReport
from blog.spam.reports import REASON_LABELS, dismiss_reports, open_report_counts, open_reports, reported_comments_query
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db


def reported_count(user) -> int:
    """How many comments `user` may moderate have open reports (the tab's count)."""
    query = sa.select(sa.func.count(sa.distinct(CommentReport.comment_id))).join(
        Comment, Comment.id == CommentReport.comment_id).where(CommentReport.resolved_at.is_(None))
    return db.session.scalar(moderated_by(user, query)) or 0


@bp.get("/comments/reported")
@requires(REVIEW_COMMENTS)
def reported_comments():
    """The comments with open reports that this user may moderate, the most reported first."""
    user = current_user._get_current_object()
    query = moderated_by(user, reported_comments_query().join(Comment.post).options(contains_eager(Comment.post)))
    page = db.paginate(query, page=request.args.get("paged", 1, type=int),
                       per_page=int(get_settings()["admin_comments_per_page"]), error_out=False)
    ids = [comment.id for comment in page.items]
    return render_template("admin/reported.html", page=page, counts=open_report_counts(ids),
                           reports=open_reports(ids), reasons=REASON_LABELS,
                           here=request.full_path.rstrip("?"))


@bp.post("/comments/reported/<int:comment_id>/dismiss")
@requires(REVIEW_COMMENTS)
def dismiss_comment_reports(comment_id: int):
    """Dismiss a comment's open reports: the comment stays (or is approved again when the reports
    alone held it), and reporters who left an email hear so."""
    form = ActionForm()
    comment = db.get_or_404(Comment, comment_id)
    if not may_moderate_comments_on(current_user, db.session.get(Post, comment.post_id)):
        abort(403, description=_("You can moderate only the comments on your own posts."))
    closed = dismiss_reports(comment, current_user._get_current_object())
    db.session.commit()
    flash(ngettext("%(num)d report dismissed: the comment stays.", "%(num)d reports dismissed: the comment stays.",
                   len(closed)) if closed else _("That comment has no open reports any more."), "success")
    return redirect(safe_next(form.next.data, url_for("admin.reported_comments")), 303)
