"""What a signed reply does: a reader's answer becomes a comment, an owner's answer moderates.

receive.py has already checked that the reply token was made for the sender's address, is
unexpired, and that the message is a person's with new text; these apply the blog's rules.
"""

import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa

from auth.models import User
from auth.roles import may_moderate_comments_on
from blog.comment_admin import reply_as_admin
from blog.discussion import CommentInput, CommentRefused, submit_comment
from blog.models import Comment, Post
from blog.permalinks import comment_mail_link
from blog.settings import get_settings
from core.i18n import gettext as _
from core.i18n import in_every_language, in_language
from extensions import db
from notify import mailer
from notify.inbound.message import ParsedMail
from notify.services import apply_moderation

log = logging.getLogger(__name__)

USER_AGENT = "email reply"
# The one-word answers, and the word each of our mails names them by (pgettext "mail command", in the
# owner_comment templates), in any shipped language.
COMMANDS = ("approve", "spam", "trash")
_COMMAND_WORDS = {word.casefold(): command for command in COMMANDS
                  for word in in_every_language(command, "mail command")}


@dataclass(frozen=True)
class Acted:
    """What became of a reply (InboundMail.outcome and detail) and the comment it made or moved."""

    outcome: str
    detail: str
    comment_id: int | None = None


def reply_by_mail(parent_id: int, mail: ParsedMail) -> Acted:
    """A reader's answer to a notification: their comment under `parent_id`, judged like any comment.

    The reader hears back when it is held or refused (never when filed as spam); commits.
    """
    parent = db.session.get(Comment, parent_id)
    post = db.session.get(Post, parent.post_id) if parent is not None else None
    if parent is None or post is None or parent.status != "approved":
        return Acted("refused", "the comment replied to is gone")
    data = _reader_input(parent, mail)
    try:
        comment = submit_comment(post, data, get_settings()).comment
    except CommentRefused as refusal:
        db.session.rollback()
        _tell_reader(mail.from_addr, post, parent, held=False, reason=refusal.message)
        db.session.commit()
        return Acted("refused", f"the discussion rules refused it: {refusal.message}")
    if comment.status == "pending":
        _tell_reader(mail.from_addr, post, parent, held=True)
        db.session.commit()
    return Acted("comment", f"comment {comment.id} ({comment.status})", comment.id)


def moderate_by_mail(comment_id: int, mail: ParsedMail) -> Acted:
    """An owner's answer to a "new comment" mail: approve, spam, trash, or a reply (which approves).

    Only a user who may moderate the post's comments acts, and only with a DKIM signature that did
    not fail; they get a confirmation of what was (or was not) done. Commits.
    """
    comment = db.session.get(Comment, comment_id)
    post = db.session.get(Post, comment.post_id) if comment is not None else None
    if comment is None or post is None:
        return Acted("refused", "the comment is gone")
    owner = _moderator_with_email(mail.from_addr, post)
    if owner is None:
        return Acted("refused", "the sender may not moderate this comment")
    if mail.auth.dkim == "fail":
        _confirm(owner, comment, post, reason=_("the mail's DKIM signature failed, so it may not be yours."))
        db.session.commit()
        return Acted("refused", "DKIM failed on a moderation reply", comment.id)
    command = _command(mail.text)
    if command:
        changed = apply_moderation(comment, command, moderator=owner)
        _confirm(owner, comment, post, done=_done(command, comment, post) if changed else None,
                 reason=None if changed else _already(comment.status))
        db.session.commit()
        return Acted("moderated", f"{command} comment {comment.id}", comment.id)
    return _reply_as_owner(owner, comment, post, mail.text)


def _reply_as_owner(owner: User, comment: Comment, post: Post, text: str) -> Acted:
    try:
        reply = reply_as_admin(comment, text, owner, user_agent=USER_AGENT)
    except CommentRefused as refusal:
        _confirm(owner, comment, post, reason=refusal.message)
        db.session.commit()
        return Acted("refused", f"the owner's reply was refused: {refusal.message}", comment.id)
    done = _("Your reply to %(name)s on “%(title)s” was posted and the comment approved.",
             name=comment.author_name or _("Anonymous"), title=post.title)
    _confirm(owner, comment, post, done=done)
    db.session.commit()
    return Acted("moderated", f"replied with comment {reply.id} and approved comment {comment.id}", reply.id)


def _done(command: str, comment: Comment, post: Post) -> str:
    """What a moderation command did, in the sentence its confirmation mail opens with."""
    names = {"name": comment.author_name or _("Anonymous"), "title": post.title}
    if command == "approve":
        return _("The comment by %(name)s on “%(title)s” was approved.", **names)
    if command == "spam":
        return _("The comment by %(name)s on “%(title)s” was marked as spam.", **names)
    return _("The comment by %(name)s on “%(title)s” was moved to the trash.", **names)


def _already(status: str) -> str:
    """Why a command changed nothing: the comment already had the status it asks for."""
    sentences = {"approved": _("it was already approved."), "pending": _("it was already pending."),
                 "spam": _("it was already spam."), "trash": _("it was already trash.")}
    return sentences.get(status) or _("it was already %(status)s.", status=status)


def _command(text: str) -> str | None:
    """approve, spam or trash when the reply's only line is that word, in English or in a shipped
    language (any case, punctuation around)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    word = re.sub(r"^\W+|\W+$", "", lines[0]).casefold() if len(lines) == 1 else ""
    return _COMMAND_WORDS.get(word)


def _reader_input(parent: Comment, mail: ParsedMail) -> CommentInput:
    """The comment as the reader would have typed it: their account's, or their earlier name."""
    common = {"body": mail.text, "parent_id": parent.id, "user_agent": USER_AGENT,
              "hold_reason": "its mail's DKIM signature failed" if mail.auth.dkim == "fail" else None}
    user = _user_with_email(mail.from_addr)
    if user is not None:
        return CommentInput(author_name=user.display_name, author_email=user.email or mail.from_addr,
                            author_url=user.profile_url or "", user=user, avatar_url=user.avatar_url, **common)
    earlier = db.session.execute(
        sa.select(Comment.author_name, Comment.author_url)
        .where(sa.func.lower(Comment.author_email) == mail.from_addr, Comment.user_id.is_(None))
        .order_by(Comment.id.desc()).limit(1)).first()
    name = earlier.author_name if earlier else (mail.from_name or mail.from_addr.partition("@")[0])
    return CommentInput(author_name=name[:245], author_email=mail.from_addr,
                        author_url=earlier.author_url if earlier else "", **common)


def _user_with_email(address: str) -> User | None:
    """The account whose verified address this is (the token already proved the sender was sent it)."""
    return db.session.scalars(sa.select(User).where(sa.func.lower(User.email) == address,
                                                    User.email_verified.is_(True)).limit(1)).first()


def _moderator_with_email(address: str, post: Post) -> User | None:
    """The staff member the moderation mail went to: owners' mail goes to their account's address,
    verified or not, so the token proves as much as a verification would."""
    users = db.session.scalars(sa.select(User).where(sa.func.lower(User.email) == address).order_by(User.id))
    return next((user for user in users if may_moderate_comments_on(user, post)), None)


def _tell_reader(address: str, post: Post, parent: Comment, *, held: bool, reason: str = "") -> None:
    with mailer.site_links(), in_language(None):  # a reader: the site's language
        subject = (_("Your reply on “%(title)s” is awaiting moderation", title=post.title) if held
                   else _("Your reply on “%(title)s” was not posted", title=post.title))
        mailer.enqueue(address, subject, "reply_outcome", held=held, reason=reason, post=post,
                       parent_author=parent.author_name or _("Anonymous"), comment_url=comment_mail_link(parent.id))


def _confirm(owner: User, comment: Comment, post: Post, *, done: str | None = None, reason: str | None = None) -> None:
    with mailer.site_links(), in_language(owner.language):
        subject = (_("Done: %(done)s", done=done) if done
                   else _("Not done: the comment on “%(title)s”", title=post.title))
        mailer.enqueue(owner.email, subject, "moderation_done", done=done, reason=reason, comment=comment,
                       post=post, comment_url=comment_mail_link(comment.id))
