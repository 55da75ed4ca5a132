"""The commenters' ladder: trusted, always hold, suspended, banned, shadow-banned; by account,
normalised email and IP address, each step with a moderator's note and kept in the history."""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import blog_timezone
from blog.spam.models import STANDING_KINDS, STANDING_LEVELS, CommenterAction, CommenterStanding
from core.dates import format_local
from core.dbtypes import utcnow
from core.i18n import N_
from core.i18n import gettext as _
from extensions import db

BANNED = N_("You can no longer comment on this blog.")
# Which rung wins when a commenter's account, email and address stand on different ones.
_STRICTNESS = {"trusted": 1, "hold": 2, "shadow": 3, "suspended": 4, "banned": 5}
HISTORY_SHOWN = 50  # the latest actions the commenter page lists


@dataclass(frozen=True)
class Standing:
    """Where a commenter stands for this submission: the strictest of their account's, email's and
    address's rungs (None: no rung)."""

    level: str | None = None
    until: datetime | None = None  # when a suspension ends
    # Plain fields, not properties: the comment POST reads them on every submission.
    trusted: bool = field(init=False)
    always_hold: bool = field(init=False)
    shadow: bool = field(init=False)

    def __post_init__(self):
        for name, level in (("trusted", "trusted"), ("always_hold", "hold"), ("shadow", "shadow")):
            object.__setattr__(self, name, self.level == level)

    def refusal(self) -> str | None:
        """The message refusing the comment outright (banned, suspended), or None."""
        if self.level == "banned":
            return _(BANNED)
        if self.level == "suspended":
            return _("You can comment again after %(date)s.", date=suspension_end(self.until))
        return None


NO_STANDING = Standing()


def suspension_end(until: datetime | None) -> str:
    """The last day of a suspension in the blog's time zone, as the page's language writes a date
    ("March 4, 2027", "4. März 2027"): one that ends at midnight is over once that day is, so the
    day before it is named."""
    if until is None:
        return _("a date the moderators set")
    last = (until - timedelta(microseconds=1)).astimezone(blog_timezone())
    return format_local(last, "%B %-d, %Y")


def normalized_email(email: str | None) -> str:
    """An email as the ladder keys it: trimmed, casefolded, without a +suffix or the local part's dots,
    googlemail.com as gmail.com, so that Ada.L+x@Example.com is adal@example.com.

    Dots are dropped for every domain, not only Gmail's, where they are ignored: a ban should err
    toward recognising the person, and two people whose addresses differ only in dots are rare.
    """
    email = (email or "").strip().casefold()
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return email
    local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{'gmail.com' if domain == 'googlemail.com' else domain}"


def normalized_ip(ip: str | None) -> str:
    """An address in its one canonical spelling (IPv6 has several); anything else as given, trimmed."""
    ip = (ip or "").strip()
    try:
        return ipaddress.ip_address(ip).compressed
    except ValueError:
        return ip


def normalized_value(kind: str, value: str) -> str:
    """How the ladder keys a commenter of this kind."""
    if kind == "email":
        return normalized_email(value)
    if kind == "ip":
        return normalized_ip(value)
    return str(value).strip()


def _who_clause() -> sa.ColumnElement[bool]:
    # One (kind, value) pair per kind, each read through the unique (kind, value) index; a None
    # value matches nothing.
    return sa.or_(*(sa.and_(CommenterStanding.kind == kind, CommenterStanding.value == sa.bindparam(kind))
                    for kind in STANDING_KINDS))


# Built once, with parameters: it runs on every comment a reader submits.
_LOOKUP = sa.select(CommenterStanding.level, CommenterStanding.until).where(_who_clause())


def standing_for(user_id: int | None, email: str, ip: str) -> Standing:
    """The standing of whoever submits with this account, email and address: the strictest rung in
    force among the three (an ended suspension counts as none). One indexed query."""
    rows = db.session.execute(_LOOKUP, _keys(user_id, email, ip)).all()
    return strictest(rows, utcnow()) if rows else NO_STANDING


def _keys(user_id: int | None, email: str | None, ip: str | None) -> dict[str, str | None]:
    return {"account": str(user_id) if user_id is not None else None,
            "email": normalized_email(email) or None, "ip": normalized_ip(ip) or None}


def strictest(rows: Iterable, now: datetime) -> Standing:
    """The strictest rung in force among rows with a level and an until."""
    best = NO_STANDING
    for row in rows:
        if row.level == "suspended" and (row.until is None or row.until <= now):
            continue
        if _STRICTNESS.get(row.level, 0) > _STRICTNESS.get(best.level, 0):
            best = Standing(row.level, row.until if row.level == "suspended" else None)
    return best


def set_standing(kind: str, value: str, level: str | None, until: datetime | None, note: str, moderator) -> None:
    """Put one commenter (an account id, an email, an IP) on a rung, or lift theirs (level None), and
    record the step in the history; in the caller's transaction. For moderators' views and commands.

    Raises ValueError for an unknown kind or level, or a suspension without an end.
    """
    if kind not in STANDING_KINDS:
        raise ValueError(f"Unknown kind of commenter: {kind}")
    if level is not None and level not in STANDING_LEVELS:
        raise ValueError(f"Unknown rung: {level}")
    if level == "suspended" and until is None:
        raise ValueError("A suspension needs the date it ends.")
    value = normalized_value(kind, value)
    if not value:
        raise ValueError(f"This commenter has no {kind} to act on.")
    until = until if level == "suspended" else None
    note = (note or "").strip()
    standing = db.session.scalar(sa.select(CommenterStanding).where(
        CommenterStanding.kind == kind, CommenterStanding.value == value).with_for_update())
    if level is None:
        if standing is not None:
            db.session.delete(standing)
    elif standing is None:
        db.session.add(CommenterStanding(kind=kind, value=value, level=level, until=until, note=note))
    else:
        standing.level, standing.until, standing.note = level, until, note
    db.session.add(CommenterAction(kind=kind, value=value, level=level or "none", until=until, note=note,
                                   moderator_id=getattr(moderator, "id", None),
                                   moderator_name=getattr(moderator, "display_name", "") or ""))
    db.session.flush()


@dataclass(frozen=True)
class Commenter:
    """How the ladder knows a comment's author: {kind: value} for the kinds the comment has."""

    keys: dict[str, str]

    @classmethod
    def of(cls, comment: Comment) -> "Commenter":
        keys = _keys(comment.user_id, comment.author_email, comment.author_ip)
        return cls({kind: value for kind, value in keys.items() if value})


def standings_of(commenter: Commenter) -> dict[str, CommenterStanding]:
    """The commenter's current rungs, by kind (ended suspensions included, for the page to say so)."""
    params = {kind: commenter.keys.get(kind) for kind in STANDING_KINDS}
    rows = db.session.scalars(sa.select(CommenterStanding).where(_who_clause()), params)
    return {row.kind: row for row in rows}


def history_of(commenter: Commenter, limit: int = HISTORY_SHOWN) -> list[CommenterAction]:
    """The moderators' steps on this commenter's account, email and address, newest first."""
    if not commenter.keys:
        return []
    who = sa.or_(*(sa.and_(CommenterAction.kind == kind, CommenterAction.value == value)
                   for kind, value in commenter.keys.items()))
    return list(db.session.scalars(sa.select(CommenterAction).where(who).order_by(CommenterAction.id.desc())
                                   .limit(limit)))


@dataclass(frozen=True)
class CommenterHistory:
    """What the comments table and the ladder say about a comment's author."""

    approved: int
    spam: int
    first_seen: datetime | None
    level: str | None  # the strictest rung in force (blog.spam.standings), None for none


_NO_HISTORY = CommenterHistory(0, 0, None, None)


def histories_for(comments: Iterable[Comment]) -> dict[int, CommenterHistory]:
    """{comment id: its author's history} for a page of comments: accounts by user id, guests by
    email (the indexed columns), in two grouped queries and one over the ladder."""
    comments = list(comments)
    user_ids = {c.user_id for c in comments if c.user_id is not None}
    emails = {c.author_email for c in comments if c.user_id is None and c.author_email}
    by_user = _counts(Comment.user_id, user_ids)
    by_email = _counts(Comment.author_email, emails)
    rungs = _rungs_of(comments)
    now = utcnow()
    result = {}
    for c in comments:
        counts = by_user.get(c.user_id) if c.user_id is not None else by_email.get(c.author_email)
        approved, spam, first = counts or (0, 0, None)
        keys = Commenter.of(c).keys
        level = strictest((rungs[(kind, value)] for kind, value in keys.items() if (kind, value) in rungs), now)
        result[c.id] = CommenterHistory(approved, spam, first, level.level)
    return result


def _counts(column, values: set) -> dict:
    """{value: (approved, spam, first seen)} over the comments whose `column` is one of `values`."""
    if not values:
        return {}
    first_seen = sa.func.min(Comment.created_at)
    rows = db.session.execute(sa.select(column, _count_of("approved"), _count_of("spam"), first_seen)
                              .where(column.in_(values)).group_by(column))
    return {row[0]: (int(row[1]), int(row[2]), row[3]) for row in rows}


def _count_of(status: str) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((Comment.status == status, 1), else_=0)), 0)


def _rungs_of(comments: list[Comment]) -> dict[tuple[str, str], CommenterStanding]:
    pairs = {(kind, value) for c in comments for kind, value in Commenter.of(c).keys.items()}
    if not pairs:
        return {}
    rows = db.session.scalars(sa.select(CommenterStanding).where(
        sa.tuple_(CommenterStanding.kind, CommenterStanding.value).in_(sorted(pairs))))
    return {(row.kind, row.value): row for row in rows}


def comments_by_author(comment: Comment, limit: int = 20) -> list:
    """The latest comments of this comment's author, any status, as rows (id, status, created_at,
    body, post_title): by account, else by email (the indexed columns); only the comment itself for
    a guest who gave no email."""
    if comment.user_id is not None:
        same = Comment.user_id == comment.user_id
    elif comment.author_email:
        same = Comment.author_email == comment.author_email
    else:
        same = Comment.id == comment.id
    return db.session.execute(
        sa.select(Comment.id, Comment.status, Comment.shadow, Comment.created_at, Comment.body,
                  Post.title.label("post_title"))
        .join(Post, Post.id == Comment.post_id).where(same)
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)).all()
