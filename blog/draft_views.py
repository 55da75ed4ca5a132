"""Log in from the comment form without losing the comment: it is held while the reader is away."""

from flask import abort, current_app, flash, g, redirect, request, session, url_for

from auth import providers
from auth.services import via_continue_page
from blog import bp, comment_drafts, protected_posts, queries
from blog.discussion import comments_closed
from blog.forms import COMMENT_MAX, comment_form, shown_number
from blog.permalinks import post_url
from blog.settings import get_settings
from core.i18n import lazy_ngettext
from extensions import limiter

TOO_LONG = lazy_ngettext("Your comment is too long (at most %(max)s character), so it was not kept.",
                         "Your comment is too long (at most %(max)s characters), so it was not kept.",
                         COMMENT_MAX, max=shown_number(COMMENT_MAX))
# auth's views that may start a new session (a log-in, its second step) and so drop the draft's key.
LOG_IN_ENDPOINTS = frozenset({"auth.callback", "auth.two_factor"})
KEY_BEFORE_LOG_IN = "comment_draft_key"  # in g, for the length of one request
LOGIN_PATH = "/posts/<int:post_id>/login/<name>"


@bp.post("/posts/<int:post_id>/login/<name>")
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"])
def login_with_draft(post_id: int, name: str):
    """Hold the comment form's text, reply target and choices, then start the log-in with provider
    `name` that comes back to the form; anyone may call (CSRF: the comment form's token)."""
    post = queries.find_published_post_by_id(post_id)
    provider = providers.get_provider(name)
    if post is None or provider is None:
        abort(404)
    form = comment_form(require_name_email=False)
    body = form.comment.data or ""
    if len(body) > COMMENT_MAX:
        abort(400, str(TOO_LONG))
    back = post_url(post, _anchor="respond")
    to_provider, state = _begin_login(provider, back)
    if body and _open_to(post):
        comment_drafts.save(post.id, body, form.comment_parent.data or 0, comment_drafts.form_choices(form), state)
    if to_provider is None:
        return redirect(back, 303)
    return via_continue_page(to_provider.headers["Location"], name)


def _begin_login(provider: providers.Provider, next_url: str):
    """auth's own start of a social log-in (as auth.oauth_login): the redirect to the provider's
    page and the OAuth state it keeps, or (None, None) with the reason flashed."""
    from auth import social  # loaded at the first social log-in only, as auth.views does

    try:
        response = social.begin_login(provider, next_url, url_for("auth.callback", name=provider.name, _external=True))
    except social.LoginFailed as failure:
        flash(str(failure), "error")
        return None, None
    return response, social.state_in_flight(provider.name)


def _open_to(post) -> bool:
    """Whether this reader sees the post's comment form, where the draft goes back."""
    return not protected_posts.locked(post, request.cookies) and not comments_closed(post, get_settings())


@bp.before_app_request
def note_draft_key():
    """Before a log-in view runs: the draft key of the session it may replace."""
    if request.endpoint in LOG_IN_ENDPOINTS:
        setattr(g, KEY_BEFORE_LOG_IN, session.get(comment_drafts.SESSION_KEY))


@bp.after_app_request
def carry_draft_into_new_session(response):
    """After a log-in view: a new session gets the draft that waited for this log-in."""
    key = g.pop(KEY_BEFORE_LOG_IN, None)
    if isinstance(key, str) and comment_drafts.SESSION_KEY not in session:
        state = request.args.get("state", "") if request.endpoint == "auth.callback" else None
        comment_drafts.carry_over(key, state)
    return response
