"""Which approved comments a post page shows: whole threads, a page of top-level comments at a time."""

import math
from dataclasses import dataclass

import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, Post
from blog.permalinks import post_url
from extensions import db

# What the page shows of a comment: plain rows load several times faster than ORM objects.
SHOWN_COLUMNS = (Comment.id, Comment.post_id, Comment.parent_id, Comment.status, Comment.author_name,
                 Comment.author_email, Comment.author_url, Comment.author_avatar_url, Comment.body,
                 Comment.created_at, Comment.like_count, Comment.user_id, Comment.comment_type,
                 Comment.edited_at, Comment.deleted_at, Comment.source_url, Comment.author_handle,
                 User.display_name.label("user_name"))


@dataclass
class CommentPage:
    rows: tuple  # the comments shown, oldest first (plain, hashable rows)
    number: int  # 1 is the oldest page
    pages: int
    default_number: int  # the page the bare permalink shows

    @property
    def own_shadow_count(self) -> int:
        """The reader's own shadow-banned comments shown (blog.commenters.own_held_ids): to them they
        count as published, so the totals they see count them too; nobody else's rows have any."""
        return sum(1 for row in self.rows if row.status == "spam")

    def url_number(self, number: int) -> int | None:
        """How a link names page `number`: None (the bare permalink) for the default page, as WordPress."""
        return None if number == self.default_number else number


def _units(post: Post, settings: dict) -> int:
    """What pages are counted in, as WordPress counts them: threads, or comments when threading is off."""
    return post.thread_count if settings["thread_comments"] else post.comment_count


def page_count(post: Post, settings: dict) -> int:
    if not settings["page_comments"]:
        return 1
    return max(1, math.ceil(_units(post, settings) / int(settings["comments_per_page"])))


def default_page(post: Post, settings: dict) -> int:
    return page_count(post, settings) if settings["default_comments_page"] == "newest" else 1


def load_comment_page(post: Post, settings: dict, number: int | None, own_pending: list[int]) -> CommentPage | None:
    """The threads on comment page `number` (None: the default page), or None past the last page.

    Pages are numbered from the oldest, as WordPress numbers them: page 1 holds the oldest threads,
    the last page the newest, which may be fewer than a page; with default_comments_page "newest"
    that last page is the one the bare permalink shows. With threading off, pages hold comments,
    not threads, and every approved comment is shown in date order. own_pending adds this reader's
    comments that await moderation.
    """
    pages = page_count(post, settings)
    first_shown = default_page(post, settings)
    number = first_shown if number is None else number
    if not 1 <= number <= pages:
        return None
    if post.comment_count == 0 and not own_pending:
        return CommentPage((), number, pages, first_shown)  # nothing to read
    threaded = bool(settings["thread_comments"])
    ids = _page_ids(post, settings, number) if settings["page_comments"] else None
    if own_pending:
        comments = _with_own_pending(post, threaded, ids, own_pending, number == first_shown)
    elif ids is None:
        comments = _read(_APPROVED_OF_POST, post_id=post.id)
    else:
        comments = _read(_APPROVED_IN_THREADS if threaded else _APPROVED_WITH_IDS, post_id=post.id, ids=ids)
    return CommentPage(tuple(comments), number, pages, first_shown)


# The statements every post page runs, built once: building one per request costs SQLAlchemy
# more (construction, then its cache key) than the database takes to run it.
_SHOWN_IN_ORDER = sa.select(*SHOWN_COLUMNS).select_from(sa.outerjoin(Comment, User, User.id == Comment.user_id)) \
    .order_by(Comment.created_at, Comment.id)
_APPROVED_OF_POST = _SHOWN_IN_ORDER.where(Comment.post_id == sa.bindparam("post_id"), Comment.status == "approved")
_APPROVED_IN_THREADS = _APPROVED_OF_POST.where(Comment.root_id.in_(sa.bindparam("ids", expanding=True)))
_APPROVED_WITH_IDS = _APPROVED_OF_POST.where(Comment.id.in_(sa.bindparam("ids", expanding=True)))
_PAGED = sa.select(Comment.id).where(Comment.post_id == sa.bindparam("post_id"), Comment.status == "approved") \
    .offset(sa.bindparam("skip")).limit(sa.bindparam("per_page"))
_OLDEST_FIRST = (Comment.created_at, Comment.id)
_NEWEST_FIRST = (Comment.created_at.desc(), Comment.id.desc())
# By (threaded, newest first): top-level comments only when threaded.
_UNIT_IDS = {
    (True, False): _PAGED.where(Comment.depth == 0).order_by(*_OLDEST_FIRST),
    (True, True): _PAGED.where(Comment.depth == 0).order_by(*_NEWEST_FIRST),
    (False, False): _PAGED.order_by(*_OLDEST_FIRST),
    (False, True): _PAGED.order_by(*_NEWEST_FIRST),
}


def _page_ids(post: Post, settings: dict, number: int) -> list[int]:
    """The ids of the page's threads (or comments, threading off), read first by their own index: a
    subquery in the comments query lets a planner with stale statistics walk every comment of the post.

    Read from whichever end is nearer, so the newest page, the one most readers see, needs no OFFSET.
    """
    per_page = int(settings["comments_per_page"])
    start = (number - 1) * per_page
    size = min(per_page, _units(post, settings) - start)
    newer = _units(post, settings) - start - size  # how many come after this page
    newest_first = newer < start
    statement = _UNIT_IDS[bool(settings["thread_comments"]), newest_first]
    skip, limit = (newer, size) if newest_first else (start, per_page)
    return [row.id for row in _read(statement, post_id=post.id, skip=skip, per_page=limit)]


def _with_own_pending(post: Post, threaded: bool, ids: list[int] | None, own_pending: list[int],
                      default: bool) -> list:
    """The page's approved comments and this reader's held ones (on the default page, with any
    approved replies under them, which WordPress shows the held comment's author too)."""
    column = Comment.root_id if threaded else Comment.id
    where = sa.true() if ids is None else column.in_(ids)
    if default:
        where = sa.or_(where, column.in_(own_pending))
    visible = sa.or_(Comment.status == "approved", Comment.id.in_(own_pending))
    return _read(_SHOWN_IN_ORDER.where(Comment.post_id == post.id, where, visible))


def _read(statement: sa.Select, **parameters) -> list:
    """Plain rows through the session's connection (its transaction): the ORM's per-row loading
    step adds nothing to column rows but time, a large share of a long page's row handling."""
    return db.session.connection().execute(statement, parameters).all()


def page_of_comment(post: Post, comment: Comment, settings: dict) -> int:
    """The comment page that shows this comment: its thread's (its own, threading off), counted from the
    oldest as WordPress's get_page_of_comment counts."""
    if not settings["page_comments"]:
        return 1
    threaded = bool(settings["thread_comments"])
    anchor = comment if comment.depth == 0 or not threaded else db.session.get(Comment, comment.root_id)
    if anchor is None or anchor.status != "approved":
        return default_page(post, settings)
    earlier = (Comment.created_at < anchor.created_at) | (
        (Comment.created_at == anchor.created_at) & (Comment.id < anchor.id))
    before = db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).where(
            Comment.post_id == post.id, Comment.status == "approved", Comment.depth == 0 if threaded else sa.true(),
            earlier)
    )
    return before // int(settings["comments_per_page"]) + 1


def comment_url(post: Post, comment: Comment, settings: dict) -> str:
    """The permalink of a comment: its post's comment page that shows it, anchored at the comment.

    Named by its page number, as WordPress names it: with the newest page first, the bare permalink
    shows another page once newer threads fill one, while comment-page-N keeps showing the comment.
    The bare permalink is kept for the first page when it is the default one, and while the post's
    comments fit on one page (WordPress would say comment-page-1 there too).
    """
    number = page_of_comment(post, comment, settings)
    bare = number == 1 and (settings["default_comments_page"] == "oldest" or page_count(post, settings) == 1)
    page = {} if bare or not settings["page_comments"] else {"cpage": number}
    return post_url(post, _anchor=f"comment-{comment.id}", **page)
