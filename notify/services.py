"""Subscriptions and moderation from mail links: the rules, kept out of the views."""

import hmac
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app

from auth.models import User
from auth.roles import may_moderate_comments_on
from blog.models import Comment, Post
from blog.moderation import MOVES, set_comment_status
from core.clean_input import database_int
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import in_language, site_language
from extensions import db
from notify import links, mailer
from notify.mailer import normalize_email
from notify.models import Subscription
from notify.tokens import BadLink, spend_token

COMMENT_DELIVERIES = ("instant", "daily", "weekly", "replies")
POST_DELIVERIES = ("instant", "daily", "weekly")


def apply_moderation(comment: Comment, action: str, moderator: User | None = None) -> bool:
    """Carry out a moderation action from a mail link; False when the comment already had that status."""
    if action not in MOVES:
        raise ValueError(f"unknown moderation action {action!r}")
    return set_comment_status(comment, MOVES[action], moderator, action)


def moderation_needs_login(link: dict) -> bool:
    """Links act without log-in only when signed single-use and the setting is (still) on."""
    from blog.settings import get_setting

    return "jti" not in link or not get_setting("signed_moderation_links")


def comment_named_by(link: dict) -> Comment | None:
    """The comment a moderation link names: its id and its own link_secret, else None."""
    comment_id, key = link.get("comment"), link.get("key")
    if not isinstance(key, str):
        raise BadLink(str(links.OUT_OF_DATE), 410)
    if not (isinstance(comment_id, int) and database_int(comment_id)):
        return None
    comment = db.session.get(Comment, comment_id)
    if comment is None or not hmac.compare_digest(comment.link_secret, key):
        return None
    return comment


def may_moderate(user, comment: Comment) -> bool:
    """Whether this (possibly anonymous) user may moderate the comment a mail link names."""
    return bool(user is not None and user.is_authenticated
                and may_moderate_comments_on(user, db.session.get(Post, comment.post_id)))


def moderate_from_link(comment: Comment, link: dict, user: User | None) -> bool:
    """Spend a moderation link and apply its action, in the caller's transaction."""
    if "jti" in link:
        spend_token(link)
    # Logged by name when the user may moderate it; otherwise the signed link alone acted.
    moderator = user if may_moderate(user, comment) else None
    return apply_moderation(comment, link["action"], moderator=moderator)


def subscribe_after_comment(
    comment: Comment, *, comments: str | None, posts: str | None, user: User | None = None
) -> list[Subscription]:
    """Subscribe a commenter as they asked under the form, in the caller's transaction.

    A logged-in user with a verified email is subscribed at once; anyone else gets one
    confirmation mail (double opt-in) and nothing more until they confirm.
    """
    if comments not in (None, *COMMENT_DELIVERIES):
        raise ValueError(f"unknown comment delivery {comments!r}")
    if posts not in (None, *POST_DELIVERIES):
        raise ValueError(f"unknown post delivery {posts!r}")
    email, verified = _subscriber_address(comment, user)
    if not email or not (comments or posts):
        return []
    wanted: list[tuple[str, int | None, int | None, str]] = []
    if comments == "replies":
        wanted.append(("replies", comment.post_id, comment.id, "instant"))
    elif comments:
        wanted.append(("comments", comment.post_id, None, comments))
    if posts:
        wanted.append(("posts", None, None, posts))
    subscriptions = [
        _upsert(email, scope, post_id, comment_id, delivery, user if verified else None)
        for scope, post_id, comment_id, delivery in wanted
    ]
    db.session.flush()
    pending = [s for s in subscriptions if s.confirmed_at is None]
    if pending:
        _send_confirmation(email, pending, db.session.get(Post, comment.post_id))
    return subscriptions


def _subscriber_address(comment: Comment, user: User | None) -> tuple[str, bool]:
    """Where a commenter's mail goes, and whether that address is known to be theirs."""
    verified = bool(user and user.email and user.email_verified)
    return normalize_email(user.email if verified else comment.author_email), verified


def _upsert(email, scope, post_id, comment_id, delivery, verified_user) -> Subscription:
    subscription = db.session.scalar(
        sa.select(Subscription).where(
            Subscription.email == email,
            Subscription.scope == scope,
            Subscription.post_id.is_(None) if post_id is None else Subscription.post_id == post_id,
            Subscription.comment_id.is_(None)
            if comment_id is None
            else Subscription.comment_id == comment_id,
        )
    )
    if subscription is None:
        subscription = Subscription(
            email=email, scope=scope, post_id=post_id, comment_id=comment_id, language=site_language()
        )
        db.session.add(subscription)
    elif subscription.confirmed_at is not None and verified_user is None:
        # Anyone can type an address into the comment form: a confirmed subscription changes only
        # through its subscriber's own mailed links, or their logged-in account with that address.
        return subscription
    subscription.delivery = delivery
    if verified_user is not None:
        subscription.user_id = verified_user.id
        subscription.confirmed_at = subscription.confirmed_at or utcnow()
    return subscription


def _send_confirmation(email: str, pending: list[Subscription], post: Post | None) -> None:
    with mailer.site_links(), in_language(pending[0].language):
        mailer.enqueue(
            email,
            _("Confirm your subscription to %(blog)s", blog=current_app.config["BLOG_TITLE"]),
            "confirm",
            unsubscribe_url=links.unsubscribe_url(pending),
            subscriptions=pending,
            post=post,
            confirm_url=links.confirm_url(pending, email),
        )


def _named(refs: Sequence[tuple[int, str]]) -> sa.ColumnElement[bool]:
    """The subscriptions with these (id, link_secret) pairs: a link's, and no later row with its id."""
    return sa.tuple_(Subscription.id, Subscription.link_secret).in_(refs)


def confirm_subscriptions(refs: Sequence[tuple[int, str]], email: str) -> list[Subscription]:
    """Confirm the subscriptions a confirmation link names (anyone holding the link)."""
    found = list(
        db.session.scalars(
            sa.select(Subscription).where(_named(refs), Subscription.email == email)
        )
    )
    for subscription in found:
        subscription.confirmed_at = subscription.confirmed_at or utcnow()
    return found


def unsubscribe(refs: Sequence[tuple[int, str]]) -> int:
    """Cancel the subscriptions an unsubscribe link names; returns how many there still were."""
    result = db.session.execute(sa.delete(Subscription).where(_named(refs)))
    return result.rowcount


def subscriptions_of(email: str) -> list[Subscription]:
    """Every subscription of an address, with the posts they follow, for the manage page."""
    return list(
        db.session.scalars(
            sa.select(Subscription)
            .where(Subscription.email == email)
            .order_by(Subscription.created_at, Subscription.id)
        )
    )


def cancel_subscription(email: str, subscription_id: int) -> bool:
    """Cancel one subscription, only when it belongs to this address."""
    result = db.session.execute(
        sa.delete(Subscription).where(
            Subscription.id == subscription_id, Subscription.email == email
        )
    )
    return result.rowcount == 1


def posts_by_id(subscriptions: Sequence[Subscription]) -> dict[int, Post]:
    ids = {s.post_id for s in subscriptions if s.post_id}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(ids)))}
