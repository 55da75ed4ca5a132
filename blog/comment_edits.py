"""A commenter's own edits and deletions within the edit window, and the revisions every edit keeps.

The rules of who may change a comment live here, one place for the public views and the post
page's links; an edited text goes through the discussion rules again (blog.discussion.judge_edit).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from auth.models import User
from auth.roles import may_moderate_comments_on
from blog import commenters
from blog.discussion import CommentInput, CommentRefused, comments_closed, judge_edit
from blog.models import Comment, CommentRevision, Post
from blog.moderation import delete_comment, log_action, set_comment_status
from blog.spam.standings import standing_for
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db

CHANGEABLE = ("pending", "approved")  # a comment in the spam or trash is the moderators' now


def is_shadow(comment) -> bool:
    """Whether the comment is a shadow-banned commenter's, filed as spam: its author may change it as
    if it were published, so that no missing link tells them of the ban."""
    return comment.status == "spam" and comment.shadow


@dataclass(frozen=True)
class Proof:
    """What a request shows of a comment's authorship: the account it is logged in to, and the
    secrets its browser holds for the comments it wrote (blog.commenters)."""

    user: User | None
    keys: dict[int, str]

    def proves(self, comment: Comment) -> bool:
        if self.user is not None and comment.user_id is not None and comment.user_id == self.user.id:
            return True
        return commenters.proves_key(self.keys, comment.id, comment.author_key_hash)


@dataclass(frozen=True)
class Edited:
    """An edit made: the comment, why it went back to the queue ("" when it did not), and the
    browser's fresh secret for it (the one it proved itself with is spent)."""

    comment: Comment
    held_reason: str
    new_key: str


def window_closes(created_at: datetime, settings: dict) -> datetime | None:
    """When a comment written at `created_at` can no longer be changed by its author; None: never could."""
    minutes = int(settings["comment_edit_minutes"])
    return created_at + timedelta(minutes=minutes) if minutes > 0 else None


def editable_ids(rows, proof: Proof, settings: dict, now: datetime) -> frozenset[int]:
    """Which of the shown comment rows this reader may still edit or delete: read off the rows and
    the request alone, no query (the secrets are checked when the reader acts)."""
    minutes = int(settings["comment_edit_minutes"])
    if minutes <= 0 or (proof.user is None and not proof.keys):
        return frozenset()
    since = now - timedelta(minutes=minutes)
    user_id = proof.user.id if proof.user is not None else None
    # A spam row among those shown is its author's own shadow comment (blog.commenters.own_held_ids
    # lets in no other); check_may_change reads the comment's shadow flag again when they act.
    return frozenset(row.id for row in rows if row.created_at >= since and row.deleted_at is None
                     and (row.status in CHANGEABLE or row.status == "spam")
                     and (row.id in proof.keys or (user_id and row.user_id == user_id)))


def seen_mark(comment: Comment) -> str:
    """What an edit form remembers of the comment it showed, to refuse a change made meanwhile."""
    return f"{comment.status}:{comment.body_hash}"


def check_may_change(comment: Comment, post: Post, proof: Proof, settings: dict, now: datetime) -> None:
    """Raise CommentRefused unless the reader wrote this comment and may still change it."""
    if comment.deleted_at is not None or not proof.proves(comment):
        raise CommentRefused(403, _("You can only change a comment you wrote, from the browser or the account "
                                    "you wrote it with."))
    if comments_closed(post, settings):
        raise CommentRefused(403, _("Comments on this post are closed, so its comments can no longer be changed."))
    if comment.status not in CHANGEABLE and not is_shadow(comment):
        raise CommentRefused(403, _("This comment is with the moderators now and can no longer be changed."))
    closes = window_closes(comment.created_at, settings)
    if closes is None:
        raise CommentRefused(403, _("Comments cannot be changed after they are posted on this blog."))
    if now > closes:
        minutes = int(settings["comment_edit_minutes"])
        raise CommentRefused(403, ngettext(
            "The time to change this comment has passed: it could be edited or deleted for %(num)d minute after "
            "it was posted.",
            "The time to change this comment has passed: it could be edited or deleted for %(num)d minutes after "
            "it was posted.", minutes))


def locked_for_change(comment_id: int, seen: str | None) -> Comment:
    """The comment, re-read under a row lock; CommentRefused(409) when it changed since `seen`."""
    comment = db.session.get(Comment, comment_id, with_for_update=True, populate_existing=True)
    if comment is None:
        raise CommentRefused(404, _("This comment no longer exists."))
    if seen is not None and seen != seen_mark(comment):
        raise CommentRefused(409, _("This comment changed while you were editing it (a moderator may have acted "
                                    "on it): nothing was saved. Reload the page to see it as it is now."))
    return comment


def author_edit(comment_id: int, body: str, seen: str, proof: Proof, settings: dict) -> Edited:
    """Replace the text of the reader's own comment, keeping the old one as a revision, and commit.

    The new text is judged as a new comment's would be: one that gains links or listed words goes
    back to the moderation queue, with the reason.
    """
    comment = locked_for_change(comment_id, seen)
    post = db.session.get(Post, comment.post_id)
    check_may_change(comment, post, proof, settings, utcnow())
    # A banned or suspended commenter cannot slip new words into a comment they wrote before.
    if refusal := standing_for(comment.user_id, comment.author_email, comment.author_ip).refusal():
        raise CommentRefused(403, refusal)
    if body == comment.body:
        return Edited(comment, "", _new_key(comment))
    author = proof.user if proof.user is not None and comment.user_id == proof.user.id else None
    keep_revision(comment, author, "author")
    comment.body = body
    comment.edited_at = utcnow()
    # A shadow comment stays in the spam whatever its new text: judging it again could only hold it,
    # and the author being told so would give the ban away.
    held = "" if is_shadow(comment) else _judge_again(comment, post, author, settings)
    new_key = _new_key(comment)
    db.session.commit()
    return Edited(comment, held, new_key)


def _judge_again(comment: Comment, post: Post, author: User | None, settings: dict) -> str:
    """Hold an edited comment again when the rules would hold its new text; the reason, or ""."""
    if author is not None and may_moderate_comments_on(author, post):
        return ""  # staff's own comments are not held, as when they wrote them
    data = CommentInput(body=comment.body, author_name=comment.author_name, author_email=comment.author_email,
                        author_url=comment.author_url, ip=comment.author_ip, user_agent=comment.user_agent)
    status, reason = judge_edit(data, settings)
    if status == "approved":
        return ""
    comment.status_reason = f"edited: {reason}"[:255]
    if comment.status == "approved":
        set_comment_status(comment, "pending", None, "held after edit", actor=author_label(comment))
    return reason


def _new_key(comment: Comment) -> str:
    """A fresh secret for the browser: the one it just used can never act again."""
    key = commenters.new_comment_key()
    comment.author_key_hash = commenters.key_hash(key)
    return key


def author_label(comment: Comment) -> str:
    """Who acted, in the moderation log, when a commenter changed their own comment."""
    return f"{comment.author_name or 'Anonymous'} (the comment's author)"


def author_delete(comment_id: int, seen: str, proof: Proof, settings: dict) -> bool:
    """Delete the reader's own comment and commit. One with replies keeps its place in the thread,
    emptied of its text and author ("deleted by its author"); True when it was removed outright."""
    comment = locked_for_change(comment_id, seen)
    check_may_change(comment, db.session.get(Post, comment.post_id), proof, settings, utcnow())
    actor = author_label(comment)
    has_replies = db.session.scalar(sa.select(sa.exists().where(Comment.parent_id == comment.id)))
    if not has_replies:
        delete_comment(comment, None, actor)
        db.session.commit()
        return True
    db.session.execute(sa.delete(CommentRevision).where(CommentRevision.comment_id == comment.id))
    log_action(comment, "deleted by author", None, comment.status, comment.status, actor)
    comment.body = ""
    comment.author_name = comment.author_email = comment.author_url = comment.author_ip = comment.user_agent = ""
    comment.author_avatar_url = comment.author_key_hash = comment.user_id = comment.provider = None
    comment.deleted_at = utcnow()
    db.session.commit()
    return False


def keep_revision(comment: Comment, editor: User | None, role: str) -> None:
    """Keep the comment's current text as a revision, replaced now by `editor` (None: its guest author)."""
    name = editor.display_name if editor is not None else (comment.author_name or "Anonymous")
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body, editor_id=editor.id if editor else None,
                                   editor_name=name, editor_role=role))


def revisions_of(comment_id: int) -> list[CommentRevision]:
    """A comment's earlier texts, newest first; for its moderators."""
    return list(db.session.scalars(sa.select(CommentRevision).where(CommentRevision.comment_id == comment_id)
                                   .order_by(CommentRevision.id.desc())))


def staff_edit_text(comment: Comment, body: str, staff: User) -> None:
    """Set a comment's text as a member of staff, keeping the text it replaces (caller commits)."""
    if body == comment.body:
        return
    keep_revision(comment, staff, "staff")
    comment.body = body
    comment.edited_at = utcnow()


def restore_revision(comment: Comment, revision_id: int, staff: User) -> None:
    """Bring back an earlier text of the comment (the current one becomes a revision too) and commit."""
    revision = db.session.get(CommentRevision, revision_id)
    if revision is None or revision.comment_id != comment.id:
        raise CommentRefused(404, _("That revision is not one of this comment's."))
    staff_edit_text(comment, revision.body, staff)
    log_action(comment, "restore revision", staff, comment.status, comment.status)
    db.session.commit()
