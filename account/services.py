"""What the account page reads and does for the logged-in reader; each call acts on that reader only."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from auth.accounts import remove_user
from auth.models import User
from auth.roles import ACCESS_ADMIN
from blog.models import Comment, Post
from core.dbtypes import utcnow
from core.i18n import lazy_gettext as _l
from extensions import db
from notify.mailer import normalize_email
from notify.models import Subscription
from privacy import personal_data
from privacy.models import PrivacyRequest

COMMENTS_PER_PAGE = 20
# What each status means to the comment's author (trash, like spam, is "not published" to them).
STATUS_LABELS = {
    "pending": _l("awaiting moderation"),
    "approved": _l("published"),
    "spam": _l("not published"),
    "trash": _l("not published"),
}
ACTOR = "Reader (account page)"  # the moderation log's name for the step: never the reader's own name


def proven_email(user: User) -> str:
    """The account's address when its owner proved it, else "": an unproved address may be anyone's,
    so it finds no guest comments or subscriptions."""
    return normalize_email(user.email) if user.email and user.email_verified else ""


def comments_query(user: User) -> sa.Select:
    """The reader's own comments (written logged in), newest first, each with its post."""
    return (
        sa.select(Comment)
        .where(Comment.user_id == user.id)
        .options(joinedload(Comment.post))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def _subscribed_by(user: User) -> sa.ColumnElement[bool]:
    email = proven_email(user)
    mine = [Subscription.user_id == user.id]
    return sa.or_(*mine, sa.func.lower(Subscription.email) == email) if email else mine[0]


def subscriptions_of(user: User) -> list[Subscription]:
    """The subscriptions the account made, or made with its proven address."""
    return list(
        db.session.scalars(
            sa.select(Subscription).where(_subscribed_by(user)).order_by(Subscription.created_at, Subscription.id)
        )
    )


def cancel_subscription(user: User, subscription_id: int) -> bool:
    """Cancel one of the reader's subscriptions and commit; False when it is not (or no longer) theirs."""
    gone = db.session.execute(
        sa.delete(Subscription).where(Subscription.id == subscription_id, _subscribed_by(user))
    ).rowcount
    db.session.commit()
    return gone == 1


def posts_by_id(subscriptions: list[Subscription]) -> dict[int, Post]:
    """The posts these subscriptions follow, read in one statement."""
    ids = {s.post_id for s in subscriptions if s.post_id}
    return {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(ids)))} if ids else {}


def may_delete_itself(user: User) -> bool:
    """Readers may; staff may not here: their posts and the blog's Administrators need the Users screen."""
    return not user.can(ACCESS_ADMIN)


def delete_account(user: User, erase_text: bool) -> str:
    """Erase what the blog keeps of the reader (privacy.personal_data), then remove the account, and
    commit; the erasure is recorded as a done request from the account page. Readers only."""
    if not may_delete_itself(user):
        raise PermissionError("staff accounts are removed from the Users screen")
    email = proven_email(user)
    now = utcnow()
    record = PrivacyRequest(
        kind="erase",
        email=None,
        email_hash=personal_data.email_hash(email),
        status="done",
        erase_text=erase_text,
        source="account",
        confirmed_at=now,
        completed_at=now,
    )
    db.session.add(record)
    db.session.flush()  # its number goes into the moderation log
    outcome = personal_data.erase(email, [user.id], erase_text, ACTOR, request_id=record.id)
    record.outcome = outcome[:255]
    db.session.expire(user)  # the erasure removed its identities behind the session's back
    remove_user(user, heir=None)  # commits: the blog lets go of what it still held of the account
    return outcome
