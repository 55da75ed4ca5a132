"""WordPress's toolbar for staff on the public pages, and the account menu it shares with the admin's
header (Howdy, Profile, Log Out).

Both are worked out here, before a template renders, and handed to every template by a context
processor, so templates query nothing. A reader who is not logged in gets neither: the pages the
page cache stores (rendered for nobody) never carry them.
"""

from dataclasses import dataclass, field

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from admin.queries import pending_count
from auth.roles import ACCESS_ADMIN, EDIT_POSTS, REVIEW_COMMENTS, may_edit_post
from errors import answering_a_failure


@dataclass(frozen=True)
class AccountMenu:
    """The account menu on the right of the toolbar and of the admin's header."""

    display_name: str
    profile_url: str
    logout_next: str  # where Log Out returns to: a path on this site


@dataclass(frozen=True)
class Toolbar:
    """What the toolbar shows one member of staff; a link is None when their role may not follow it."""

    account: AccountMenu
    site_name: str  # links to the Dashboard, as WordPress's toolbar does on the public side
    dashboard_url: str
    new_post_url: str | None
    comments_url: str | None
    pending_comments: int  # held comments this user may moderate
    user: object = field(repr=False)

    def edit_post_url(self, post) -> str | None:
        """The post's editor, for who may edit this post ("Edit Post" and the post's "Edit" link)."""
        if post is None or not may_edit_post(self.user, post):
            return None
        return url_for("admin.post_edit", post_id=post.id)


def init_app(app: Flask) -> None:
    app.context_processor(toolbar_context)


def toolbar_context() -> dict:
    """`account_menu` for every logged-in user; `toolbar` for staff on the public pages (the admin has
    its own header). Worked out once a request."""
    if "toolbar_context" not in g:
        g.toolbar_context = _context()
    return g.toolbar_context


def _context() -> dict:
    if answering_a_failure() or not current_user.is_authenticated:  # no toolbar on a failure's page
        return {}
    account = AccountMenu(display_name=current_user.display_name, profile_url=url_for(_profile_endpoint()),
                          logout_next=_logout_next())
    if request.blueprint == "admin" or not current_user.can(ACCESS_ADMIN):
        return {"account_menu": account}
    return {"account_menu": account, "toolbar": _toolbar(current_user, account)}


def _toolbar(user, account: AccountMenu) -> Toolbar:
    reviews = user.can(REVIEW_COMMENTS)
    return Toolbar(
        account=account,
        site_name=current_app.config["BLOG_TITLE"],
        dashboard_url=url_for("admin.dashboard"),
        new_post_url=url_for("admin.post_new") if user.can(EDIT_POSTS) else None,
        comments_url=url_for("admin.comments", comment_status="pending") if reviews else None,
        pending_comments=pending_count(user) if reviews else 0,
        user=user,
    )


def _profile_endpoint() -> str:
    return "admin.profile" if "admin.profile" in current_app.view_functions else "admin.account"


def _logout_next() -> str:
    """Back to the public page Log Out was pressed on; from the admin (or a form's answer), the home page."""
    if request.blueprint == "admin" or request.method != "GET":
        return url_for("blog.index")
    return request.full_path.rstrip("?")
