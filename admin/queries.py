"""Read-side queries of the admin screens: counts, the comment list, the log."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from auth.roles import EDIT_OTHERS_POSTS, MODERATE_COMMENTS, REVIEW_COMMENTS
from blog.models import Comment, ModerationLog, Post
from extensions import db

# The tabs of the comment list; "all" is WordPress's: pending and approved, not spam or trash.
TABS = ("all", "pending", "approved", "spam", "trash")
TAB_STATUSES = {"all": ("pending", "approved"), "pending": ("pending",), "approved": ("approved",),
                "spam": ("spam",), "trash": ("trash",)}


@dataclass(frozen=True)
class CommentFilter:
    tab: str = "all"
    post_id: int | None = None
    search: str = ""
    order: str = "date"  # one of ORDERS


# How the comment list can be sorted: newest first, or most likely spam first (the learning filter's
# score when the comment arrived; unscored ones last, newest first among equals). The second is for
# the queue and the spam (SORTABLE_TABS): no index serves it, and those tabs are what a moderator
# sorts, not every comment the blog has.
ORDERS = {
    "date": (Comment.created_at.desc(), Comment.id.desc()),
    "spam_score": (Comment.spam_score.desc().nulls_last(), Comment.created_at.desc(), Comment.id.desc()),
}
SORTABLE_TABS = ("pending", "spam")


def moderated_by(user, query: sa.Select) -> sa.Select:
    """`query` narrowed to the comments `user` may moderate: auth.roles.may_moderate_comments_on in SQL
    (every comment, those on the user's own posts, or none)."""
    if user.can(MODERATE_COMMENTS):
        return query
    if user.can(REVIEW_COMMENTS):
        return query.where(Comment.post_id.in_(sa.select(Post.id).where(Post.author_id == user.id)))
    return query.where(sa.false())


def posts_listed_for(user, query: sa.Select) -> sa.Select:
    """`query` narrowed to the posts `user` sees in the Posts list: everyone's, or their own."""
    return query if user.can(EDIT_OTHERS_POSTS) else query.where(Post.author_id == user.id)


def comment_counts(user, post_id: int | None = None) -> dict[str, int]:
    """How many comments each tab holds (for one post, or all) among those `user` may moderate."""
    query = moderated_by(user, sa.select(Comment.status, sa.func.count()).group_by(Comment.status))
    if post_id:
        query = query.where(Comment.post_id == post_id)
    by_status = dict(db.session.execute(query).tuples().all())
    counts = {status: by_status.get(status, 0) for status in ("pending", "approved", "spam", "trash")}
    return {"all": counts["pending"] + counts["approved"], **counts}


def pending_count(user) -> int:
    """The held comments `user` may moderate (the menu's badge)."""
    query = sa.select(sa.func.count()).select_from(Comment).where(Comment.status == "pending")
    return db.session.scalar(moderated_by(user, query))


def post_counts(user) -> dict[str, int]:
    """Posts per status among those the Posts list shows `user`."""
    query = sa.select(Post.status, sa.func.count()).where(Post.kind == "post").group_by(Post.status)
    rows = db.session.execute(posts_listed_for(user, query)).tuples()
    counts = dict(rows.all())
    return {"all": sum(counts.values()), **counts}


def comments_query(where: CommentFilter, user) -> sa.Select:
    """The comments a tab shows `user`, filtered and searched, in the chosen order, each with its post."""
    query = moderated_by(user, (
        sa.select(Comment).join(Comment.post).options(contains_eager(Comment.post))
        .where(Comment.status.in_(TAB_STATUSES[where.tab]))
        .order_by(*ORDERS[where.order])
    ))
    if where.post_id:
        query = query.where(Comment.post_id == where.post_id)
    if where.search:
        term = where.search
        query = query.where(sa.or_(*(
            column.icontains(term, autoescape=True)
            for column in (Comment.author_name, Comment.author_email, Comment.author_url,
                           Comment.author_ip, Comment.body)
        )))
    return query


def posts_of_comments(comment_ids: list[int]) -> list[Post]:
    """The posts these comments are on (each once), for checking who may moderate them."""
    return list(db.session.scalars(
        sa.select(Post).where(Post.id.in_(sa.select(Comment.post_id).where(Comment.id.in_(comment_ids))))))


def pending_by_post(post_ids: set[int]) -> dict[int, int]:
    """Pending comments per post, for the "In response to" column."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.post_id, sa.func.count())
        .where(Comment.post_id.in_(post_ids), Comment.status == "pending").group_by(Comment.post_id)
    ).tuples()
    return dict(rows.all())


def latest_moves(comment_ids: set[int]) -> dict[int, ModerationLog]:
    """Each comment's latest logged change of status (edits and blocks that kept it are skipped),
    for a whole page of rows in one query."""
    if not comment_ids:
        return {}
    ranked = (
        sa.select(ModerationLog.id, sa.func.row_number().over(
            partition_by=ModerationLog.comment_id,
            order_by=(ModerationLog.created_at.desc(), ModerationLog.id.desc())).label("rank"))
        .where(ModerationLog.comment_id.in_(comment_ids), ModerationLog.from_status != ModerationLog.to_status)
        .subquery()
    )
    entries = db.session.scalars(
        sa.select(ModerationLog).join(ranked, ranked.c.id == ModerationLog.id).where(ranked.c.rank == 1))
    return {entry.comment_id: entry for entry in entries}


def author_names(comment_ids: set[int]) -> dict[int, str]:
    """The author names of some comments (the parents a page of replies answers), in one query.

    It runs for an empty set as well, so that a page costs the same queries with or without replies.
    """
    rows = db.session.execute(sa.select(Comment.id, Comment.author_name).where(Comment.id.in_(comment_ids)))
    return dict(rows.tuples().all())


def latest_comments(user, limit: int = 5) -> list[Comment]:
    """The newest pending and approved comments `user` may moderate (the dashboard's)."""
    query = (
        sa.select(Comment).join(Comment.post).options(contains_eager(Comment.post))
        .where(Comment.status.in_(("pending", "approved")))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    )
    return list(db.session.scalars(moderated_by(user, query)))


def log_query(comment_id: int | None, moderator: str | None) -> sa.Select:
    """Moderation log entries, newest first, for one comment and/or one moderator."""
    query = sa.select(ModerationLog).order_by(ModerationLog.created_at.desc(), ModerationLog.id.desc())
    if comment_id:
        query = query.where(ModerationLog.comment_id == comment_id)
    if moderator:
        query = query.where(ModerationLog.moderator_name == moderator)
    return query


def log_moderators() -> list[str]:
    return list(db.session.scalars(
        sa.select(ModerationLog.moderator_name).distinct().order_by(ModerationLog.moderator_name)))


def posts_query(status: str | None, user) -> sa.Select:
    """The Posts list for `user`, newest first: everyone's for Editors, one's own for Authors."""
    query = posts_listed_for(user, sa.select(Post).where(Post.kind == "post")
                      .order_by(Post.published_at.desc(), Post.id.desc()))
    return query.where(Post.status == status) if status else query


def published_page_choices() -> list[tuple[int, str]]:
    """(id, title) of every published page, by title: what the privacy policy setting may name."""
    rows = db.session.execute(sa.select(Post.id, Post.title).where(Post.kind == "page", Post.status == "published")
                              .order_by(Post.title, Post.id))
    return [(row.id, row.title) for row in rows]
