"""Comment submission and WordPress's discussion rules: the one place they live.

Views (public and admin) call these; nothing here reads the request.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

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
    comment = Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
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
    db.session.add(comment)
    db.session.flush()
    comment.root_id = parent.root_id if parent else comment.id
    if status == "approved":
        _count_approved(post, comment, +1)
    events.comment_submitted(comment)
    if data.subscriptions and status in ("approved", "pending"):
        notify_services.subscribe_after_comment(comment, **data.subscriptions, user=data.user)
    db.session.commit()
    return comment


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


def _is_duplicate(post: Post, parent: Comment | None, data: CommentInput) -> bool:
    """WordPress's rule: the same text under the same parent from the same name or email (or account)."""
    same_author = (
        Comment.user_id == data.user.id if data.user
        else sa.or_(Comment.author_name == data.author_name, Comment.author_email == data.author_email)
        if data.author_email else Comment.author_name == data.author_name
    )
    return db.session.scalar(
        sa.select(sa.literal(True)).where(
            Comment.post_id == post.id,
            Comment.body_hash == text_hash(data.body),  # the index narrows to equal texts first
            Comment.body == data.body,
            # Wrapped, so no planner walks the parent_id index instead: most comments have no parent,
            # which its statistics (an average per value) do not tell.
            sa.func.coalesce(Comment.parent_id, 0) == (parent.id if parent else 0),
            same_author,
        ).limit(1)
    ) is not None


def _is_flood(data: CommentInput, settings: dict) -> bool:
    """Did this address or email leave a comment within the flood interval?"""
    interval = int(settings["comment_flood_seconds"])
    if interval <= 0:
        return False
    since = utcnow() - timedelta(seconds=interval)
    # One EXISTS per index (address, email): an OR across both lets a planner walk every recent comment.
    recent = [sa.exists().where(column == value, Comment.created_at >= since)
              for column, value in ((Comment.author_ip, data.ip), (Comment.author_email, data.author_email)) if value]
    return bool(recent) and bool(db.session.scalar(sa.select(sa.or_(*recent))))


def _previously_approved(data: CommentInput) -> bool:
    """Has this author (same user, or same name and email) an approved comment already?"""
    if data.user:
        author = Comment.user_id == data.user.id
    elif data.author_email:
        author = sa.and_(Comment.author_email == data.author_email, Comment.author_name == data.author_name)
    else:
        return False
    return db.session.scalar(
        sa.select(sa.literal(True)).where(author, Comment.status == "approved").limit(1)
    ) is not None


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


