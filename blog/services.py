"""Comment submission and WordPress's discussion rules: the one place they live.

Views (public and admin) call these; nothing here reads the request.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import User
from blog.models import Comment, Post, text_hash
from blog.settings import get_settings
from dbtypes import utcnow
from extensions import db
from notify import events
from notify import services as notify_services

# WordPress counts each http(s):// once, whether bare or inside an href.
LINK = re.compile(r"""(?:href\s*=\s*['"]?)?https?://""", re.IGNORECASE)


class CommentRefused(Exception):
    """A submission the rules refuse outright; carries the HTTP status and the reader's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CommentInput:
    """What a commenter sent, and from where."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    parent_id: int = 0
    ip: str = ""
    user_agent: str = ""
    honeypot: str = ""
    user: User | None = None
    provider: str | None = None
    avatar_url: str | None = None
    # What the commenter asked to follow: {"comments": "instant"|..., "posts": ...} or None.
    subscriptions: dict | None = None


def comments_closed(post: Post, settings: dict) -> bool:
    """Closed by hand, or automatically once the post is older than the setting allows."""
    if not post.comments_open:
        return True
    if settings["close_comments_for_old_posts"]:
        age_limit = timedelta(days=int(settings["close_comments_days_old"]))
        return post.published_at + age_limit < utcnow()
    return False


def submit_comment(post: Post, data: CommentInput) -> Comment:
    """Store a comment with the status the discussion rules give it, or raise CommentRefused."""
    settings = get_settings()
    if comments_closed(post, settings):
        raise CommentRefused(403, "Comments are closed.")
    parent = _reply_target(post, data.parent_id, settings)
    is_moderator = bool(data.user and data.user.is_admin)
    if _is_duplicate(post, parent, data):
        raise CommentRefused(409, "Duplicate comment detected; it looks as though you’ve already said that!")
    if not is_moderator and _is_flood(data, settings):
        raise CommentRefused(429, "You are posting comments too quickly. Slow down.")
    status, reason = ("approved", "") if is_moderator else judge_comment(data, settings)
    comment = _insert(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=data.author_name,
        author_email=data.author_email,
        author_url=data.author_url,
        author_ip=data.ip,
        user_agent=data.user_agent[:255],
        user_id=data.user.id if data.user else None,
        provider=data.provider,
        author_avatar_url=data.avatar_url,
        body=data.body,
        status=status,
        status_reason=reason,
    )
    if parent is None:
        _make_own_root(comment)
    if status == "approved":
        _count_approved(post, comment, +1)
    events.comment_submitted(comment)
    if data.subscriptions and status in ("approved", "pending"):
        notify_services.subscribe_after_comment(comment, **data.subscriptions, user=data.user)
    _commit_keeping_values()
    return comment


# The new comment is written with Core statements, built once and run at once: the ORM's unit of
# work costs several times what the INSERT and UPDATE take. A pending comment changes no public
# page; an approved one changes its post's counters too, which the page cache sees at the commit.
_INSERT_COMMENT = sa.insert(Comment.__table__).returning(*Comment.__table__.columns)
_ROOT_IS_SELF = sa.update(Comment.__table__).where(Comment.__table__.c.id == sa.bindparam("comment_id")).values(
    root_id=Comment.__table__.c.id, updated_at=Comment.__table__.c.updated_at)  # not an edit


def _insert(**values) -> Comment:
    """INSERT a comment; it comes back as if loaded, in the session (defaults filled in by the statement)."""
    row = db.session.execute(_INSERT_COMMENT, values).one()
    comment = Comment(**row._asdict())
    make_transient_to_detached(comment)  # it is in the database: the session takes it as loaded, not new
    db.session.add(comment)
    return comment


def _make_own_root(comment: Comment) -> None:
    """A top-level comment heads its own thread, which only its id (known after the INSERT) can say."""
    db.session.execute(_ROOT_IS_SELF, {"comment_id": comment.id})
    set_committed_value(comment, "root_id", comment.id)


def _commit_keeping_values() -> None:
    """Commit without expiring what the session holds: the redirect that follows reads the new
    comment and its post, and reloading them (a query each) would only return what was just written."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def judge_comment(data: CommentInput, settings: dict) -> tuple[str, str]:
    """The status WordPress's rules give a new comment, and why (empty when approved)."""
    if data.honeypot:
        return "spam", "hidden honeypot field was filled in"
    if match := _key_match(settings["disallowed_keys"], data):
        return "trash", f"disallowed list: {match}"
    if settings["comment_moderation"]:
        return "pending", "manual approval of every comment is on"
    links = len(LINK.findall(data.body))
    limit = int(settings["comment_max_links"])
    if limit and links >= limit:
        return "pending", f"{links} links; limit {limit}"
    if match := _key_match(settings["moderation_keys"], data):
        return "pending", f"moderation list: {match}"
    if settings["comment_previously_approved"] and not _previously_approved(data):
        return "pending", "first comment from this author"
    return "approved", ""


def _reply_target(post: Post, parent_id: int, settings: dict) -> Comment | None:
    """The comment being replied to, moved up so the reply fits the thread depth setting."""
    if not parent_id:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != "approved":
        raise CommentRefused(400, "The comment you are replying to does not exist or is not approved.")
    if not settings["thread_comments"]:
        return None
    max_depth = max(1, int(settings["thread_comments_depth"]))
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = db.session.get(Comment, parent.parent_id) if parent.parent_id else None
    return parent


# The rules' statements are built once, with parameters: building one per submission costs
# SQLAlchemy more (construction, then its cache key) than SQLite takes to run it. A None
# parameter compares as NULL, so it matches nothing.
_SAME_TEXT = sa.select(sa.literal(True)).where(
    Comment.post_id == sa.bindparam("post_id"),
    Comment.body_hash == sa.bindparam("body_hash"),  # the index narrows to equal texts first
    Comment.body == sa.bindparam("body"),
    # Wrapped, so no planner walks the parent_id index instead: most comments have no parent,
    # which its statistics (an average per value) do not tell.
    sa.func.coalesce(Comment.parent_id, 0) == sa.bindparam("parent_id"),
    sa.or_(Comment.user_id == sa.bindparam("user_id"), Comment.author_name == sa.bindparam("name"),
           Comment.author_email == sa.bindparam("email")),
).limit(1)
# One EXISTS per index (address, email): an OR across both lets a planner walk every recent comment.
_RECENT_FROM = sa.select(sa.or_(*(
    sa.exists().where(column == sa.bindparam(name), Comment.created_at >= sa.bindparam("since"))
    for column, name in ((Comment.author_ip, "ip"), (Comment.author_email, "email"))
)))
_APPROVED_FROM_USER = sa.select(sa.literal(True)).where(
    Comment.user_id == sa.bindparam("user_id"), Comment.status == "approved").limit(1)
_APPROVED_FROM_NAME_AND_EMAIL = sa.select(sa.literal(True)).where(
    Comment.author_email == sa.bindparam("email"), Comment.author_name == sa.bindparam("name"),
    Comment.status == "approved").limit(1)


def _is_duplicate(post: Post, parent: Comment | None, data: CommentInput) -> bool:
    """WordPress's rule: the same text under the same parent from the same account, or else name or email."""
    author = {"user_id": data.user.id, "name": None, "email": None} if data.user else \
        {"user_id": None, "name": data.author_name, "email": data.author_email or None}
    return db.session.scalar(_SAME_TEXT, {
        "post_id": post.id, "body_hash": text_hash(data.body), "body": data.body,
        "parent_id": parent.id if parent else 0, **author}) is not None


def _is_flood(data: CommentInput, settings: dict) -> bool:
    """Did this address or email leave a comment within the flood interval?"""
    interval = int(settings["comment_flood_seconds"])
    if interval <= 0 or not (data.ip or data.author_email):
        return False
    since = utcnow() - timedelta(seconds=interval)
    return bool(db.session.scalar(_RECENT_FROM, {"ip": data.ip or None, "email": data.author_email or None,
                                                 "since": since}))


def _previously_approved(data: CommentInput) -> bool:
    """Has this author (same user, or same name and email) an approved comment already?"""
    if data.user:
        found = db.session.scalar(_APPROVED_FROM_USER, {"user_id": data.user.id})
    elif data.author_email:
        found = db.session.scalar(_APPROVED_FROM_NAME_AND_EMAIL,
                                  {"email": data.author_email, "name": data.author_name})
    else:
        return False
    return found is not None


def _key_match(keys: str, data: CommentInput) -> str | None:
    """The first line of a moderation or disallowed list found in any field, as WordPress checks."""
    fields = [data.author_name, data.author_email, data.author_url, data.body, data.ip, data.user_agent]
    haystack = "\n".join(fields).lower()
    for key in (line.strip() for line in keys.splitlines()):
        if key and key.lower() in haystack:
            return key
    return None


def _count_approved(post: Post, comment: Comment, delta: int) -> None:
    post.comment_count = Post.comment_count + delta
    if comment.depth == 0:
        post.thread_count = Post.thread_count + delta
    post.updated_at = Post.updated_at  # a new comment is not an edit of the post


