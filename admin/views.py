"""The dashboard, the moderation log and the discussion settings, each for the capability it declares."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp, requires
from admin.comment_rows import row_extras
from admin.forms import DiscussionSettingsForm
from admin.mail_queries import mail_failing
from admin.queries import (
    comment_counts,
    latest_comments,
    log_moderators,
    log_query,
    post_counts,
    published_page_choices,
)
from auth.roles import ACCESS_ADMIN, MANAGE_OPTIONS, MODERATE_COMMENTS
from blog.settings import get_settings, save_settings
from blog.spam import filter as spam_filter
from core.i18n import gettext as _
from extensions import db

LOG_PER_PAGE = 50


@bp.get("/")
@requires(ACCESS_ADMIN)
def dashboard():
    """At a glance: the counts of the posts and comments this user may work on, and the latest
    comments they may moderate, with quick actions; for Administrators, whether mail is failing."""
    user = current_user._get_current_object()
    latest = latest_comments(user)
    return render_template("admin/dashboard.html", counts=comment_counts(user), posts=post_counts(user),
                           latest=latest, extras=row_extras(latest, user),
                           mail_failing=user.can(MANAGE_OPTIONS) and mail_failing())


@bp.get("/log")
@requires(MODERATE_COMMENTS)
def moderation_log():
    """Every moderation action, newest first, filterable by comment and by moderator."""
    comment_id = request.args.get("comment", type=int)
    moderator = request.args.get("moderator", "").strip() or None
    page = db.paginate(log_query(comment_id, moderator), page=request.args.get("page", 1, type=int),
                       per_page=LOG_PER_PAGE, error_out=False)
    return render_template("admin/log.html", page=page, comment_id=comment_id, moderator=moderator,
                           moderators=log_moderators())


@bp.route("/settings/discussion", methods=["GET", "POST"])
@requires(MANAGE_OPTIONS)
def discussion_settings():
    """The discussion rules, validated and stored; they apply from the next request on."""
    form = DiscussionSettingsForm(data=get_settings() if request.method == "GET" else None)
    form.privacy_policy_page_id.choices = [(0, _("— None —")), *published_page_choices()]
    if form.validate_on_submit():
        save_settings(form.values())
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.discussion_settings"), 303)
    return render_template("admin/settings_discussion.html", form=form, min_examples=spam_filter.MIN_EXAMPLES,
                           akismet_configured=bool(current_app.config["AKISMET_API_KEY"])), \
        400 if form.errors else 200
