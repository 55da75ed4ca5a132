"""The staff's screens at /admin. Each view names the capability it needs (`requires`), and one
guard checks it before any view runs; a view that names none is for Administrators only."""

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from auth.roles import MANAGE_OPTIONS
from errors import answering_a_failure

# cli_group: `flask comments purge-trash` (admin/cli.py) is the cron entry point.
bp = Blueprint("admin", __name__, cli_group="comments")

ANY_USER = "any logged-in user"  # `requires(ANY_USER)`: one's own profile, open to every account
_UNDECLARED = MANAGE_OPTIONS  # fail closed: a view that forgot to say is the Administrators'


def requires(capability: str) -> Callable:
    """Declare the capability (auth.roles) an admin view needs; checked by require_capability."""

    def declare(view: Callable) -> Callable:
        view.required_capability = capability
        return view

    return declare


def required_capability(endpoint: str | None) -> str:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "required_capability", _UNDECLARED)


def may_open(user, endpoint: str) -> bool:
    """Whether the guard lets this user into the admin endpoint (the menu shows only these)."""
    if not user.is_authenticated or endpoint not in current_app.view_functions:
        return False
    needed = required_capability(endpoint)
    return needed == ANY_USER or user.can(needed)


@bp.before_request
def require_capability():
    """Anonymous visitors go to the log-in page and come back; a logged-in user without the view's
    capability gets 403; an Administrator who must set up two-factor first is sent there."""
    if not current_user.is_authenticated:
        back = request.full_path.rstrip("?") if request.method == "GET" else url_for("admin.dashboard")
        return redirect(login_url(back))
    if not may_open(current_user, request.endpoint or ""):
        abort(403)
    return security_views.enrolment_first(current_user, request.endpoint or "")


def login_url(next_path: str) -> str:
    """The log-in page (the auth blueprint's, when registered) that returns to `next_path`."""
    if "auth.login" in current_app.view_functions:
        return url_for("auth.login", next=next_path)
    return "/login?" + urlencode({"next": next_path})


@bp.context_processor
def admin_globals():
    from admin.menu import menu_for
    from admin.queries import pending_count

    if answering_a_failure():  # the database may be what failed: the menu would read it again
        return {"admin_pending_count": 0, "admin_menu": []}
    return {"admin_pending_count": pending_count(current_user) if current_user.is_authenticated else 0,
            "admin_menu": menu_for(current_user)}


@bp.app_template_global("admin_may_open")
def current_user_may_open(endpoint: str) -> bool:
    """For templates, macros included (they see globals, not the context): show a link or a button
    only to who the guard would let through."""
    return may_open(current_user, endpoint)


from admin import (  # noqa: E402,F401  (routes register on bp)
    account_views,
    cli,
    comment_views,
    commenter_views,
    federation_views,
    formats,
    mail_views,
    media_views,
    nav_menu_views,
    page_views,
    post_views,
    privacy_views,
    profile_views,
    report_views,
    security_views,
    stored_labels,
    term_views,
    tool_views,
    two_factor_views,
    user_views,
    views,
    widget_views,
)
