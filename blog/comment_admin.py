"""What an administrator does to a comment besides moving it: reply, edit, block its author."""

from dataclasses import dataclass

from auth.models import User
from blog.comment_edits import staff_edit_text
from blog.discussion import CommentInput, CommentRefused, submit_comment
from blog.models import Comment, Post
from blog.moderation import log_action, set_comment_status
from blog.settings import get_settings, save_settings
from core.i18n import gettext as _
from extensions import db


def reply_as_admin(parent: Comment, body: str, admin: User, ip: str = "", user_agent: str = "") -> Comment:
    """Post the administrator's reply under `parent`, approving a pending parent first (as WordPress).

    Raises CommentRefused (with nothing changed) when the rules refuse the reply.
    """
    if parent.status not in ("pending", "approved"):
        raise CommentRefused(400, _("You can only reply to pending or approved comments."))
    post = db.session.get(Post, parent.post_id)
    set_comment_status(parent, "approved", admin, "approve")
    data = CommentInput(
        body=body, author_name=admin.display_name, author_email=admin.email or "",
        author_url=admin.profile_url or "", parent_id=parent.id, ip=ip, user_agent=user_agent,
        user=admin, avatar_url=admin.avatar_url,
    )
    try:
        return submit_comment(post, data, get_settings()).comment
    except CommentRefused:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class CommentEdit:
    body: str
    author_name: str
    author_email: str
    author_url: str
    status: str


def edit_comment(comment: Comment, edit: CommentEdit, admin: User) -> None:
    """Change a comment's text (the old one kept as a revision), author fields and status, logged, and commit."""
    staff_edit_text(comment, edit.body, admin)
    comment.author_name = edit.author_name
    comment.author_email = edit.author_email
    comment.author_url = edit.author_url
    if not set_comment_status(comment, edit.status, admin, "edit"):
        log_action(comment, "edit", admin, comment.status, comment.status)
    db.session.commit()


def block_author(comment: Comment, what: str, admin: User) -> str:
    """Add the comment's email or IP to the disallowed list and commit; the key that was added."""
    key = {"email": comment.author_email, "ip": comment.author_ip}.get(what, "").strip()
    if not key:
        raise CommentRefused(400, _("This comment has no IP address to block.") if what == "ip" else
                             _("This comment has no email to block."))
    keys = str(get_settings()["disallowed_keys"])
    lines = [line.strip() for line in keys.splitlines() if line.strip()]
    if key.lower() not in (line.lower() for line in lines):
        save_settings({"disallowed_keys": "\n".join([*lines, key])})
        log_action(comment, f"block {what}", admin, comment.status, comment.status)
    db.session.commit()
    return key
