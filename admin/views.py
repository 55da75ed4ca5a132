"""The dashboard, the moderation log and the discussion settings; administrators only (bp guard)."""

from flask import flash, redirect, render_template, request, url_for

from admin import bp
from admin.comment_rows import row_extras
from admin.forms import DiscussionSettingsForm
from admin.queries import comment_counts, latest_comments, log_moderators, log_query, post_counts
from blog.settings import get_settings, save_settings
from extensions import db

LOG_PER_PAGE = 50


@bp.get("/")
def dashboard():
    """At a glance: comment and post counts, and the latest comments with quick actions."""
    latest = latest_comments()
    return render_template("admin/dashboard.html", counts=comment_counts(), posts=post_counts(),
                           latest=latest, extras=row_extras(latest))


@bp.get("/log")
def moderation_log():
    """Every moderation action, newest first, filterable by comment and by moderator."""
    comment_id = request.args.get("comment", type=int)
    moderator = request.args.get("moderator", "").strip() or None
    page = db.paginate(log_query(comment_id, moderator), page=request.args.get("page", 1, type=int),
                       per_page=LOG_PER_PAGE, error_out=False)
    return render_template("admin/log.html", page=page, comment_id=comment_id, moderator=moderator,
                           moderators=log_moderators())


@bp.route("/settings/discussion", methods=["GET", "POST"])
def discussion_settings():
    """The discussion rules, validated and stored; they apply from the next request on."""
    form = DiscussionSettingsForm(data=get_settings() if request.method == "GET" else None)
    if form.validate_on_submit():
        save_settings(form.values())
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("admin.discussion_settings"), 303)
    return render_template("admin/settings_discussion.html", form=form), 400 if form.errors else 200
