"""The blog owner's screens at /admin; one guard admits administrators only."""

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

# cli_group: `flask comments purge-trash` (admin/cli.py) is the cron entry point.
bp = Blueprint("admin", __name__, cli_group="comments")


@bp.before_request
def require_administrator():
    """Anonymous visitors go to the log-in page and come back; logged-in non-admins get 403."""
    if not current_user.is_authenticated:
        back = request.full_path.rstrip("?") if request.method == "GET" else url_for("admin.dashboard")
        return redirect(login_url(back))
    if not current_user.is_admin:
        abort(403)
    return None


def login_url(next_path: str) -> str:
    """The log-in page (the auth blueprint's, when registered) that returns to `next_path`."""
    if "auth.login" in current_app.view_functions:
        return url_for("auth.login", next=next_path)
    return "/login?" + urlencode({"next": next_path})


@bp.context_processor
def admin_globals():
    from admin.queries import pending_count

    return {"admin_pending_count": pending_count()}


from admin import account_views, cli, comment_views, post_views, tool_views, views  # noqa: E402,F401  (routes register on bp)
