"""Moving comments between statuses, with counts kept in step and every move logged.

Shared by the admin screens, the signed links in moderation mails and the importer.
"""

import sqlalchemy as sa

from auth.models import User
from blog.models import COMMENT_STATUSES, Comment, ModerationLog, Post
from extensions import db
from notify import events


def set_comment_status(comment: Comment, status: str, moderator: User | None, action: str | None = None) -> bool:
    """Move a comment to `status` in the caller's transaction; False when it already was there."""
    if status not in COMMENT_STATUSES:
        raise ValueError(f"unknown comment status {status!r}")
    # Re-read under a row lock so that two moderators cannot both count the same change.
    comment = db.session.get(Comment, comment.id, with_for_update=True, populate_existing=True)
    previous = comment.status
    if previous == status:
        return False
    comment.status = status
    if "approved" in (previous, status):
        _count_approved(comment, 1 if status == "approved" else -1)
    log_action(comment, action or status, moderator, previous, status)
    if status == "approved":
        events.comment_approved(comment)
    return True


def delete_comment(comment: Comment, moderator: User | None) -> None:
    """Delete for good; replies move up to the deleted comment's parent, as WordPress does."""
    if comment.status == "approved":
        _count_approved(comment, -1)
    _move_replies_up(comment)
    log_action(comment, "delete", moderator, comment.status, None)
    db.session.delete(comment)


def _count_approved(comment: Comment, delta: int) -> None:
    # A count change is not an edit of the post: updated_at (feeds, sitemap) stays as it was.
    values = {"comment_count": Post.comment_count + delta, "updated_at": Post.updated_at}
    if comment.depth == 0:
        values["thread_count"] = Post.thread_count + delta
    db.session.execute(sa.update(Post).where(Post.id == comment.post_id).values(**values))


def _move_replies_up(comment: Comment) -> None:
    """Re-hang the deleted comment's subtree one level higher, fixing depth and thread."""
    thread = db.session.scalars(sa.select(Comment).where(Comment.root_id == comment.root_id)).all()
    children_of: dict[int | None, list[Comment]] = {}
    for item in thread:
        children_of.setdefault(item.parent_id, []).append(item)
    stack = [(child, comment.parent_id) for child in children_of.get(comment.id, [])]
    while stack:
        item, new_parent = stack.pop()
        item.parent_id = new_parent
        item.depth -= 1
        if comment.depth == 0:
            item.root_id = item.id if new_parent is None else item.root_id
        became_root = item.depth == 0 and item.status == "approved"
        if became_root:
            db.session.execute(sa.update(Post).where(Post.id == item.post_id)
                               .values(thread_count=Post.thread_count + 1, updated_at=Post.updated_at))
        for child in children_of.get(item.id, []):
            stack.append((child, item.id))
            if comment.depth == 0:
                child.root_id = item.root_id


def log_action(comment: Comment, action: str, moderator: User | None, before: str | None, after: str | None) -> None:
    db.session.add(ModerationLog(
        comment_id=comment.id, moderator_id=moderator.id if moderator else None,
        moderator_name=moderator.display_name if moderator else "Signed mail link",
        action=action, from_status=before, to_status=after,
    ))


def recount_post(post: Post) -> None:
    """Recompute a post's approved-comment counts from the comments themselves (after imports)."""
    approved = sa.select(sa.func.count()).select_from(Comment).where(
        Comment.post_id == post.id, Comment.status == "approved")
    post.comment_count = db.session.scalar(approved)
    post.thread_count = db.session.scalar(approved.where(Comment.depth == 0))
