"""Public pages: the post list, the post with its discussion, and leaving a reply."""

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

from auth.services import current_identity, safe_next
from blog import bp, comment_drafts, commenters, listing_queries, protected_posts, queries, remote_replies, seo
from blog.avatars import IDENTICON_DIGEST, identicon_svg
from blog.comment_pages import comment_url, load_comment_page
from blog.discussion import CommentInput, CommentRefused, Submitted, comments_closed, replied_comment, submit_comment
from blog.forms import CommentForm, comment_form
from blog.models import Comment, Post, RemoteReaction
from blog.permalinks import blog_timezone, post_at_permalink, post_url
from blog.protected_posts import PostPasswordForm
from blog.reader_state import reader_of
from blog.settings import get_settings
from core.clean_input import without_nul
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import csrf, db, limiter

TOO_FAST = _l("You have sent several comments in a short time, so this one was not posted yet. It is kept below: "
              "please wait a minute and press “Post Comment” again.")
FACEPILE_SIZE = 30  # avatars shown per kind of reaction; the count says how many there are
POST_URL = "/<int:year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>/<slug>/"

bp.add_app_template_global(protected_posts.display_title, "post_title")


@bp.app_template_global()
def post_locked(post: Post) -> bool:
    """Whether this reader sees the post's password form instead of its body and comments."""
    return protected_posts.locked(post, request.cookies)


@bp.get(POST_URL)
@bp.get(POST_URL + "comment-page-<int:cpage>/")
def post(year: int, month: int, day: int, slug: str, cpage: int | None = None):
    """A published post with a page of its approved comments in thread order; anyone may call."""
    found = post_at_permalink(year, month, day, slug)
    if not found:
        abort(404)
    return render_post_page(found, prefilled_form(found), cpage=cpage)


@bp.get("/comments/<int:comment_id>/")
def comment_link(comment_id: int):
    """Redirect to the comment on the page of its post that shows it; anyone who may see it may call."""
    comment = db.get_or_404(Comment, comment_id)
    if not commenters.may_see(comment, request.cookies, current_user):
        abort(404)  # as for a missing one: a held comment's post and number stay unknown
    post = db.session.scalar(queries.published_posts_query().where(Post.id == comment.post_id))
    if post is None:
        abort(404)
    return redirect(comment_url(post, comment, get_settings()))


@bp.get("/avatar/<digest>.svg")
def identicon(digest: str):
    """A generated avatar, so pages need no third-party request; anyone may call."""
    if len(digest) != IDENTICON_DIGEST or not all(c in "0123456789abcdef" for c in digest):
        abort(404)
    response = current_app.response_class(identicon_svg(digest), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400 * 30
    return response


def _rate_limited_comment(_limit) -> Response | None:
    """A comment past the rate limit: its form shown again with the text kept, and why (429)."""
    post = queries.find_published_post_by_id(request.view_args["post_id"])
    if post is None:
        return None  # the usual 429 page: there is no form to show again
    form = comment_form(require_name_email=False)
    return make_response(render_post_page(post, form, status=429, refusal=str(TOO_FAST)))


@bp.post("/posts/<int:post_id>/comments")
@csrf.exempt  # the form checks its own token, so a stale one re-shows the form with the text kept
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], on_breach=_rate_limited_comment)
def comment_post(post_id: int):
    """Leave a reply on a published post; anyone may call, the discussion rules decide its fate."""
    post = queries.find_published_post_by_id(post_id)
    if post is None:
        abort(404)
    settings = get_settings()  # read with the post: the rules, the form and the receivers share them
    if protected_posts.locked(post, request.cookies):
        return _locked_page(post, message=_(protected_posts.COMMENT_REFUSED), status=403)
    form = comment_form(require_name_email=settings["require_name_email"] and not current_user.is_authenticated,
                        require_privacy_consent=bool(settings["comment_privacy_consent"]))
    if not form.validate():
        return render_post_page(post, form, status=400)
    subscriptions = form.subscription_choices()
    author_key = commenters.new_comment_key()
    data = _comment_input(form, subscriptions, commenters.key_hash(author_key))
    landing = post_url(post)  # worked out now: once the comment is committed the database may be gone
    try:
        submitted = submit_comment(post, data, settings)
    except CommentRefused as refusal:
        return render_post_page(post, form, status=refusal.status, refusal=refusal.message)
    comment_drafts.discard(post_id)
    response = _after_comment(post, submitted, form, settings, landing)
    commenters.remember_comment_key(response, request.cookies, sa.inspect(submitted.comment).identity[0], author_key)
    return response


@bp.post("/posts/<int:post_id>/password")
@limiter.limit(lambda: current_app.config["POST_PASSWORD_RATE_LIMIT"])
def post_password(post_id: int):
    """Unlock a protected post with its password (WordPress's postpass); anyone may call."""
    post = queries.find_published_post_by_id(post_id)
    if post is None or not protected_posts.is_protected(post):
        abort(404)
    form = PostPasswordForm()
    if not form.validate_on_submit():
        return _locked_page(post, form, str(form.post_password.errors[0]), 403)
    if not protected_posts.password_matches(post, form.post_password.data):
        return _locked_page(post, form, _(protected_posts.WRONG_PASSWORD), 403)
    response = redirect(safe_next(form.next.data, post_url(post)), 303)
    protected_posts.remember_password(response, form.post_password.data)
    return response


def _locked_page(post: Post, password_form: PostPasswordForm | None = None, message: str | None = None,
                 status: int = 200):
    """A protected post as a reader without its password sees it: the title and the password form."""
    back = request.path if request.method == "GET" else post_url(post)  # a form's URL takes only POSTs
    password_form = password_form or PostPasswordForm(formdata=None, next=back)
    return render_template("blog/post.html", post=post, locked=True, password_form=password_form,
                           password_error=message), status


def render_post_page(post: Post, form: CommentForm, status: int = 200, cpage: int | None = None,
                     refusal: str | None = None):
    """The post page; also re-shown, filled in, when a submission is refused."""
    if post_locked(post):
        return _locked_page(post, message=refusal, status=status)
    settings = get_settings()
    reader_id = current_user.id if current_user.is_authenticated else None
    page = load_comment_page(post, settings, cpage, commenters.own_held_ids(post.id, request.cookies, reader_id))
    if page is None:
        abort(404)
    reply_to = _reply_target(post, form)
    closed = comments_closed(post, settings)
    federation = _federation(post, settings)
    html = render_template(
        "blog/post.html", post=post, form=form, comment_page=page, settings=settings,
        comments_closed=closed, reply_to=reply_to, refusal=refusal, locked=False,
        reader=reader_of(post, current_user, page.rows, None if closed else settings), seo=seo.post_meta(post),
        privacy_policy_url=_privacy_policy_url(settings), federation=federation, **_around(post),
    )
    if protected_posts.is_protected(post):
        return html, status, {"Cache-Control": "private, no-store"}  # opened by this reader's password
    endpoint = federation["webmention_url"]
    return html, status, {"Link": f'<{endpoint}>; rel="webmention"'} if endpoint else {}


def _federation(post: Post, settings: dict) -> dict:
    """Where other sites send the post's Webmentions and read it as a fediverse object (a public
    post's, while those are on), and its likes and reposts (no query when it has none)."""
    public = post.kind == "post" and post.status == "published" and not protected_posts.is_protected(post)
    piles = remote_replies.reactions_of(post)
    counts = {kind: len(rows) for kind, rows in piles.items()}
    if sum(counts.values()) < post.reaction_count:  # more than the piles hold: count them
        counted = sa.select(RemoteReaction.kind, sa.func.count()).where(RemoteReaction.post_id == post.id)
        counts |= dict(db.session.execute(counted.group_by(RemoteReaction.kind)).all())
    return {"webmention_url": url_for("webmention.endpoint", _external=True)
            if public and settings["webmention_enabled"] else None,
            "activity_url": url_for("activitypub.post_object", post_id=post.id, _external=True)
            if public and settings["activitypub_enabled"] else None,
            "reactions": {kind: rows[:FACEPILE_SIZE] for kind, rows in piles.items()}, "reaction_counts": counts}


def _privacy_policy_url(settings: dict) -> str | None:
    """The privacy policy page the comment form links to, when one is set and a reader may see it."""
    page_id = settings["privacy_policy_page_id"]
    if not page_id:
        return None  # the default: no query
    page = db.session.scalar(sa.select(Post).where(Post.id == page_id, Post.kind == "page", queries.visible(Post)))
    return post_url(page) if page else None


def _around(post: Post) -> dict:
    """A post's categories and tags, and the posts before and after it; a page has none of these."""
    if post.kind != "post":
        return {"categories": [], "tags": [], "older": None, "newer": None}
    older, newer = listing_queries.neighbours(post)
    return {"categories": [t for t in post.terms if t.taxonomy == "category"],
            "tags": [t for t in post.terms if t.taxonomy == "tag"], "older": older, "newer": newer}


def prefilled_form(post: Post) -> CommentForm:
    """The comment form as a reader first sees it: replying to ?replytocom, their saved name."""
    form = comment_form(formdata=None, comment_post_ID=post.id,
                        comment_parent=request.args.get("replytocom", 0, type=int))
    saved = commenters.saved_author(request.cookies)
    if saved:
        form.author.data, form.email.data, form.url.data = saved.get("author"), saved.get("email"), saved.get("url")
        form.remember.data = True
    comment_drafts.fill_form(form, post.id)  # held while the reader logged in with a provider
    return form


def _reply_target(post: Post, form: CommentForm) -> Comment | None:
    return replied_comment(post, form.comment_parent.data)


def _comment_input(form: CommentForm, subscriptions: dict | None, author_key_hash: str) -> CommentInput:
    common = {"body": form.comment.data, "parent_id": form.comment_parent.data or 0,
              "ip": request.remote_addr or "", "user_agent": without_nul(request.user_agent.string),
              "honeypot": form.hp_website.data or "", "subscriptions": subscriptions,
              "author_key_hash": author_key_hash,
              # 0 days: the address still serves this request's flood and list checks, but is not kept.
              "store_ip": get_settings()["comment_ip_retention_days"] != 0}
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        identity = current_identity()
        if identity:  # the account's own name (its profile's); avatar and link from the account used to log in
            return CommentInput(author_name=user.display_name, author_email=identity.email or user.email or "",
                                author_url=identity.profile_url or "", user=user, provider=identity.provider,
                                avatar_url=identity.avatar_url, **common)
        return CommentInput(author_name=user.display_name, author_email=user.email or "",
                            author_url=user.profile_url or "", user=user, **common)
    return CommentInput(author_name=form.author.data or "", author_email=form.email.data or "",
                        author_url=form.url.data or "", **common)


def _flash_notices(notices: list[str], target: str) -> str:
    """Show what the submission's receivers told the commenter (notify: where a confirmation link
    went); land on those notices."""
    for notice in notices:
        flash(notice, "info")
    return target.split("#", 1)[0] + "#content" if notices else target  # notices open <main id="content">


def _after_comment(post: Post, submitted: Submitted, form: CommentForm, settings: dict, landing: str):
    """Post/redirect/get to the comment, remembering what the reader asked us to."""
    comment = submitted.comment
    try:
        target = _flash_notices(submitted.notices, comment_url(post, comment, settings))
    except DBAPIError:
        # The comment is committed; only its page could not be worked out (the database went away
        # just now). Telling the reader "not saved" would be wrong, so go to the post all the same.
        db.session.rollback()
        target = f"{landing}#comment-{sa.inspect(comment).identity[0]}"
    response = redirect(target, 303)
    if not current_user.is_authenticated:
        if form.remember.data:
            commenters.remember_author(response, form.author.data, form.email.data, form.url.data)
        else:
            commenters.forget_author(response)
    return response


@bp.errorhandler(404)
def redate_permalink(error):
    """A permalink dated a day off (WordPress dated it in its own time zone): 301 to the right date."""
    if request.endpoint == "blog.post":
        post = _within_a_day(**request.view_args)
        if post is not None:
            return redirect(post_url(post), code=301)
    return render_template("errors/error.html", error=error), 404


def _within_a_day(year: int, month: int, day: int, slug: str, **_page) -> Post | None:
    """The visible post with this slug when its local date is at most one day from the URL's.

    UTC offsets stay within a day, so only such a link can be an old WordPress permalink;
    a farther date stays a 404.
    """
    try:
        asked = date(year, month, day)
    except ValueError:
        return None
    post = queries.visible_post_with_slug(slug)
    if post is None:
        return None
    actual = post.published_at.astimezone(blog_timezone()).date()
    return post if 0 < abs((actual - asked).days) <= 1 else None
