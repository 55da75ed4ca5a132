"""/admin/account, the former address of one's own account screen, now part of the profile."""

from flask import redirect, url_for

from admin import ANY_USER, bp, requires


@bp.get("/account")
@requires(ANY_USER)
def account():
    """Send old bookmarks to the profile, where the sessions section now lives."""
    return redirect(url_for("admin.profile"), 301)
