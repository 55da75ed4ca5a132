"""A reader reports a comment: the form, and the thanks after it (registered on the blog blueprint)."""

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from blog import bp
from blog.models import Comment, Post
from blog.queries import visible
from blog.spam.report_forms import ReportForm
from blog.spam.reports import Reporter, ReportRefused, file_report, reportable_comment, reporter_key
from core.i18n import gettext as _
from extensions import db, limiter

REPORTED = "comment_reported"  # the session key the thanks page reads: the comment just reported


def too_many_reports() -> str:
    """The 429 page's message for a reader past the report rate limit."""
    return _("You have sent several reports in a short time, so this one was not sent. "
             "Please wait a while and try again.")


def _prefilled() -> dict:
    """A logged-in reader's name and email, for the form's first showing."""
    if not current_user.is_authenticated:
        return {}
    return {"name": current_user.display_name or "", "email": current_user.email or ""}


def _reporter(form: ReportForm) -> Reporter:
    user = current_user if current_user.is_authenticated else None
    return Reporter(user.id if user else None, form.name.data or "", form.email.data or "",
                    reporter_key(user, get_remote_address()))


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"], error_message=too_many_reports)
def report_comment(comment_id: int):
    """Report an approved comment to the moderators; anyone who can see it may, once."""
    comment, post = reportable_comment(comment_id, request.cookies) or abort(404)
    form = ReportForm(data=_prefilled() if request.method == "GET" else None)
    if not form.validate_on_submit():
        return _report_page(comment, post, form, status=400 if form.errors else 200)
    try:
        file_report(comment, form.reason.data, form.explanation.data, _reporter(form), form.good_faith.data)
    except ReportRefused as refusal:
        db.session.rollback()
        return _report_page(comment, post, form, refusal.message, refusal.status)
    db.session.commit()
    session[REPORTED] = comment_id
    return redirect(url_for("blog.comment_report_sent", comment_id=comment_id), 303)


def _report_page(comment: Comment, post: Post, form: ReportForm, refusal: str | None = None, status: int = 200):
    return render_template("blog/report_comment.html", comment=comment, post=post, form=form,
                           refusal=refusal), status


@bp.get("/comments/<int:comment_id>/report/sent")
def comment_report_sent(comment_id: int):
    """The thanks after a report; only the browser that just sent it sees it (others get 404)."""
    if session.get(REPORTED) != comment_id:
        abort(404)
    comment = db.session.get(Comment, comment_id)
    post = comment and db.session.scalar(sa.select(Post).where(Post.id == comment.post_id, visible(Post)))
    return render_template("blog/report_sent.html", post=post)
