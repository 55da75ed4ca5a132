"""Moving comments between statuses, with counts kept in step and every move logged.

Shared by the admin screens, the signed links in moderation mails and the importer.
"""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_app_context

from auth.models import User
from blog import signals
from blog.counters import count_approved
from blog.models import COMMENT_STATUSES, Comment, ModerationLog
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

PENDING_LINES = "moderation_log_lines"


def set_comment_status(comment: Comment, status: str, moderator: User | None, action: str | None = None,
                       actor: str | None = None) -> bool:
    """Move a comment to `status` in the caller's transaction; False when it already was there.
    `actor` names who acted when no moderator did (log_action)."""
    if status not in COMMENT_STATUSES:
        raise ValueError(f"unknown comment status {status!r}")
    # Re-read under a row lock so that two moderators cannot both count the same change.
    comment = db.session.get(Comment, comment.id, with_for_update=True, populate_existing=True)
    previous = comment.status
    if previous == status:
        return False
    comment.status = status
    if "approved" in (previous, status):
        count_approved(comment.post_id, 1 if status == "approved" else -1, threads=comment.depth == 0)
    log_action(comment, action or status, moderator, previous, status, actor)
    signals.send(signals.comment_status_changed, comment=comment, before=previous, after=status, moderator=moderator)
    if status == "approved":
        signals.send(signals.comment_approved, comment=comment)  # notify's mail rides this transaction
    return True


def delete_comment(comment: Comment, moderator: User | None, actor: str | None = None) -> None:
    """Delete for good; replies move up to the deleted comment's parent, as WordPress does."""
    if comment.status == "approved":
        count_approved(comment.post_id, -1, threads=comment.depth == 0)
    _move_replies_up(comment)
    log_action(comment, "delete", moderator, comment.status, None, actor)
    db.session.delete(comment)


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
            count_approved(item.post_id, +1, comments=False, threads=True)
        for child in children_of.get(item.id, []):
            stack.append((child, item.id))
            if comment.depth == 0:
                child.root_id = item.root_id


def log_action(comment: Comment, action: str, moderator: User | None, before: str | None, after: str | None,
               actor: str | None = None) -> None:
    """Record a moderation step; `actor` names who acted when no user did (a mail link, cron)."""
    name = moderator.display_name if moderator else actor or "Signed mail link"
    db.session.add(ModerationLog(
        comment_id=comment.id, moderator_id=moderator.id if moderator else None,
        moderator_name=name, action=action, from_status=before, to_status=after,
    ))
    # The same step as one JSON line for the server log, written once the step is committed.
    db.session.info.setdefault(PENDING_LINES, []).append(json.dumps({
        "event": "moderation", "request_id": g.get("request_id") if has_app_context() else None,
        "moderator_id": moderator.id if moderator else None, "moderator": name, "action": action,
        "comment_id": comment.id, "post_id": comment.post_id, "from": before, "to": after,
    }, ensure_ascii=False))


class ModerationRefused(Exception):
    """An action that makes no sense for this comment (deleting an approved one, say)."""


# Row and bulk actions as WordPress names them.
ACTIONS = ("approve", "unapprove", "spam", "unspam", "trash", "restore", "delete")
# The actions that lead to one fixed status, and that status: the map for every screen and mail link.
MOVES = {"approve": "approved", "unapprove": "pending", "spam": "spam", "trash": "trash"}


def _moved_from(comment: Comment) -> str | None:
    """The status the comment left for its current one, from the latest log entry into it."""
    return db.session.scalar(
        sa.select(ModerationLog.from_status)
        .where(ModerationLog.comment_id == comment.id, ModerationLog.to_status == comment.status)
        .order_by(ModerationLog.created_at.desc(), ModerationLog.id.desc()).limit(1)
    )


def previous_status(comment: Comment) -> str:
    """Where Restore / Not spam send a comment back: the status it left for spam or trash."""
    before = _moved_from(comment)
    # Comments the rules filed as spam or trash on arrival have no entry: they go to the queue.
    return before if before in ("pending", "approved") else "pending"


def apply_action(comment: Comment, action: str, moderator: User | None) -> str | None:
    """Perform a row action in the caller's transaction; the new status, or None once deleted."""
    if action == "delete":
        if comment.status not in ("spam", "trash"):
            raise ModerationRefused(_("Only spam and trashed comments can be deleted permanently."))
        delete_comment(comment, moderator)
        return None
    if action in ("unspam", "restore"):
        if comment.status != ("spam" if action == "unspam" else "trash"):
            raise ModerationRefused(_("That comment is not in the spam.") if action == "unspam" else
                                    _("That comment is not in the trash."))
        set_comment_status(comment, previous_status(comment), moderator, action)
        return comment.status
    if action not in MOVES:
        raise ModerationRefused(_("Unknown action %(action)s.", action=repr(action)))
    set_comment_status(comment, MOVES[action], moderator, action)
    return comment.status


def apply_bulk_action(comment_ids: list[int], action: str, moderator: User | None) -> list[int]:
    """Apply one action to many comments and commit; the ids it changed (others are skipped)."""
    done = []
    comments = db.session.scalars(sa.select(Comment).where(Comment.id.in_(comment_ids))).all()
    for comment in comments:
        before, comment_id = comment.status, comment.id
        try:
            after = apply_action(comment, action, moderator)
        except ModerationRefused:
            continue
        if after != before:
            done.append(comment_id)
    db.session.commit()
    return done


# Actions whose notice offers Undo, and the status they lead to.
UNDOABLE = {"spam": "spam", "trash": "trash"}


def undo_action(comment_ids: list[int], action: str, moderator: User | None) -> list[Comment]:
    """Undo Spam or Trash and commit: each comment still there goes back to the exact status it
    left (trash included, unlike Restore); the comments that moved."""
    if action not in UNDOABLE:
        raise ModerationRefused(_("Only Spam and Trash can be undone."))
    comments = db.session.scalars(sa.select(Comment).where(
        Comment.id.in_(comment_ids), Comment.status == UNDOABLE[action]).order_by(Comment.id)).all()
    for comment in comments:
        before = _moved_from(comment)
        set_comment_status(comment, before if before in COMMENT_STATUSES else "pending", moderator, "undo")
    db.session.commit()
    return list(comments)


# What a move into a status is called in the comment list ("Marked as spam by Ada").
_MOVE_LABELS = {"spam": _l("Marked as spam"), "trash": _l("Moved to the Trash"), "approved": _l("Approved")}
_BACK_LABELS = {"approved": _l("Unapproved"), "spam": _l("Restored from the spam"),
                "trash": _l("Restored from the Trash")}


def move_label(from_status: str | None, to_status: str) -> str:
    """The words for a logged move between statuses, as the moderator would say it."""
    if to_status == "pending":
        label = _BACK_LABELS.get(from_status or "")
        return str(label) if label is not None else _("Sent back to the queue")
    label = _MOVE_LABELS.get(to_status)
    return str(label) if label is not None else _("Moved to %(status)s", status=to_status)


def empty_status(status: str, moderator: User | None) -> int:
    """Delete every comment in the spam or the trash for good and commit; how many went."""
    if status not in ("spam", "trash"):
        raise ModerationRefused(_("Only the spam and the trash can be emptied."))
    comments = db.session.scalars(sa.select(Comment).where(Comment.status == status)).all()
    for comment in comments:
        delete_comment(comment, moderator)
    db.session.commit()
    return len(comments)


def trashed_before(cutoff: datetime) -> sa.Select:
    """Trashed comments that went to the trash before `cutoff`.

    When it went there is the latest log entry into the trash; a comment the disallowed list
    trashed on arrival has none, so its own date counts.
    """
    moved = (
        sa.select(ModerationLog.comment_id, sa.func.max(ModerationLog.created_at).label("at"))
        .where(ModerationLog.to_status == "trash").group_by(ModerationLog.comment_id).subquery()
    )
    return (
        sa.select(Comment).outerjoin(moved, moved.c.comment_id == Comment.id)
        .where(Comment.status == "trash", sa.func.coalesce(moved.c.at, Comment.created_at) < cutoff)
    )


def purge_old_trash(days: int, now: datetime) -> int:
    """Delete comments that have been in the trash for more than `days` days and commit (cron)."""
    comments = db.session.scalars(trashed_before(now - timedelta(days=days))).all()
    for comment in comments:
        delete_comment(comment, None, actor="scheduled trash purge")
    db.session.commit()
    return len(comments)
