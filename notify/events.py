"""What the blog tells people when something happens; called inside the causing transaction.

Each function only adds outbox rows to the session: the caller commits them together with the
comment or post, and the worker sends them later, so a mail server outage never costs a comment.
The owners' mail about a new comment is written by the worker too (LATER_CONTEXTS), so that
posting a comment does not wait for templates and signed links.
"""

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from auth.models import User
from auth.roles import CAPABILITIES, MODERATE_COMMENTS, REVIEW_COMMENTS
from blog import protected_posts
from blog.models import Comment, Post
from blog.permalinks import comment_mail_link, post_url
from blog.queries import visible
from core.i18n import gettext as _
from core.i18n import in_language
from extensions import db
from notify import links, mailer, reply_addresses
from notify.mailer import normalize_email
from notify.models import Subscription
from notify.reply_addresses import MODERATION, READER_REPLY
from notify.tokens import new_token_id


def comment_submitted(comment: Comment, settings: dict) -> None:
    """A new comment was stored: tell the owners per the blog's `settings`, and the subscribers if approved.

    Call it once per new comment, after flush (the comment needs its id). Held comments
    (pending) mail the owners when moderation_notify is on; approved ones when comments_notify is
    on, and then also go to subscribers (comment_approved). Spam and trash mail nobody.
    """
    signed = bool(settings["signed_moderation_links"])
    if comment.status == "pending" and settings["moderation_notify"]:
        _mail_owners(comment, held=True, signed=signed)
    elif comment.status == "approved":
        if settings["comments_notify"]:
            _mail_owners(comment, held=False, signed=signed)
        comment_approved(comment)


def comment_approved(comment: Comment) -> None:
    """A comment became visible: mail its post's instant subscribers, except its own author.

    "replies" subscribers hear only of direct replies to their comment; daily and weekly
    subscribers get it in their digest instead. On a protected post the mail says where, not what.
    """
    post = db.session.get(Post, comment.post_id)
    if post is None or not visible(post):
        return
    scopes = Subscription.scope == "comments"
    if comment.parent_id:
        scopes = scopes | (
            (Subscription.scope == "replies") & (Subscription.comment_id == comment.parent_id)
        )
    subscriptions = db.session.scalars(
        sa.select(Subscription)
        .where(Subscription.post_id == post.id, Subscription.confirmed_at.is_not(None), scopes)
        .order_by(Subscription.id)
    )
    author = normalize_email(comment.author_email)
    by_email: dict[str, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        own = subscription.email == author or (
            comment.user_id is not None and subscription.user_id == comment.user_id
        )
        if not own:
            by_email[subscription.email].append(subscription)
    with mailer.site_links():
        for email, subs in by_email.items():
            if not any(s.delivery == "instant" for s in subs):
                continue
            _mail_subscriber(post, comment, email, subs)


def _mail_subscriber(post: Post, comment: Comment, email: str, subs: list[Subscription]) -> None:
    is_reply_only = all(s.scope == "replies" for s in subs)
    protected = protected_posts.is_protected(post)
    title = protected_posts.display_title(post)
    with in_language(subs[0].language):
        mailer.enqueue(
            email,
            _("New reply on “%(title)s”", title=title) if is_reply_only
            else _("New comment on “%(title)s”", title=title),
            "new_comment",
            unsubscribe_url=links.unsubscribe_url(subs),
            manage_url=links.manage_url(email),
            # Answering by mail: not on a protected post, whose mail shows no text to answer.
            reply_to=None if protected else reply_addresses.address_for(READER_REPLY, comment.id, email),
            post=post,
            protected=protected,
            comment=comment,
            comment_url=comment_mail_link(comment.id),
        )


def post_published(post: Post) -> None:
    """A post was published: mail the blog's instant subscribers, timed for when it is visible
    (a protected post's title and link only)."""
    subscriptions = db.session.scalars(
        sa.select(Subscription)
        .where(
            Subscription.scope == "posts",
            Subscription.delivery == "instant",
            Subscription.confirmed_at.is_not(None),
        )
        .order_by(Subscription.id)
    )
    with mailer.site_links():
        for subscription in subscriptions:
            with in_language(subscription.language):
                mailer.enqueue(
                    subscription.email,
                    _("New post on %(blog)s: “%(title)s”", blog=current_app.config["BLOG_TITLE"],
                      title=protected_posts.display_title(post)),
                    "new_post",
                    # A scheduled post waits in the outbox until its date.
                    send_after=post.published_at,
                    unsubscribe_url=links.unsubscribe_url([subscription]),
                    manage_url=links.manage_url(subscription.email),
                    post=post,
                    protected=protected_posts.is_protected(post),
                    post_link=post_url(post, _external=True),
                )


def _roles_with(capability: str) -> list[str]:
    return sorted(role for role, capabilities in CAPABILITIES.items() if capability in capabilities)


# Who hears about comments: everyone who may moderate every comment, and the post's author when
# they may moderate the comments on their posts (auth.roles.may_moderate_comments_on); each with
# an email address, and never the comment's own author.
_OWNERS = mailer.LaterMails(
    sa.select(User.email, User.language)
    .where(sa.or_(User.role.in_(_roles_with(MODERATE_COMMENTS)),
                  sa.and_(User.id == sa.bindparam("post_author_id"), User.role.in_(_roles_with(REVIEW_COMMENTS)))),
           User.email.is_not(None), User.email != "", User.id != sa.bindparam("author_id"))
    .order_by(User.id)
)


def _owner_subject(post: Post, held: bool) -> str:
    blog = current_app.config["BLOG_TITLE"]
    return (_("[%(blog)s] Please moderate: “%(title)s”", blog=blog, title=post.title) if held
            else _("[%(blog)s] Comment: “%(title)s”", blog=blog, title=post.title))


def _mail_owners(comment: Comment, *, held: bool, signed: bool) -> None:
    post = db.session.get(Post, comment.post_id)
    subject = _owner_subject(post, held)  # the sender writes it again in each owner's language
    data = {"comment_id": comment.id, "held": held, "signed": signed}
    with db.session.no_autoflush:  # who to tell depends on none of the caller's pending writes
        # Ids start at 1: a guest's comment (no user) leaves out nobody, a post without an author adds nobody.
        mailer.enqueue_later(_OWNERS, subject, "owner_comment", data, author_id=comment.user_id or 0,
                             post_author_id=post.author_id or 0)


def owner_comment_context(data: dict, recipient: str) -> dict | None:
    """The owner_comment templates' context for `recipient`, for the sender; None once the comment is gone.

    Its reply address lets the recipient moderate by answering (notify.inbound.replies)."""
    comment = db.session.get(Comment, data["comment_id"])
    if comment is None:
        return None
    post = db.session.get(Post, comment.post_id)
    held, signed = data["held"], data["signed"]
    actions = ("approve", "spam", "trash") if held else ("spam", "trash")
    token_id = new_token_id() if signed else None  # one mail's links spend together
    with mailer.site_links():
        return {
            "subject": _owner_subject(post, held),
            "held": held,
            "signed": signed,
            "post": post,
            "comment": comment,
            "comment_url": comment_mail_link(comment.id),
            "post_link": post_url(post, _external=True),
            "action_links": [(action, links.moderation_url(comment, action, token_id)) for action in actions],
            "reply_to": reply_addresses.address_for(MODERATION, comment.id, recipient),
        }


# Mails queued with mailer.enqueue_later, by template: what builds their context when they are sent.
LATER_CONTEXTS = {"owner_comment": owner_comment_context}
