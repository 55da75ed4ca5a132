"""The archives' queries: a page of posts for the home page, a term, an author or a date, each read
from an index in the order it is shown, so a page costs the same however many posts the blog has."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import selectinload

from auth.models import User
from blog.content_version import current_content_version
from blog.models import Post, Term, post_terms
from blog.queries import published_posts_query, visible
from core.dbtypes import UTCDateTime, utcnow
from extensions import cache, db

# Deeper pages are refused: their OFFSET would read every post before them, and no reader goes there.
MAX_PAGE = 10_000


@dataclass
class PostsPage:
    """One page of a listing: its posts and where the pages around it are."""

    posts: list[Post]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def _page_of(query: sa.Select, number: int, per_page: int, params: dict | None = None) -> PostsPage | None:
    """The `number`th page of `query` (ordered newest first), fetching one post more than it shows
    to know whether another page follows; None for a page past the end (page 1 may be empty).
    A query with `limit` and `offset` bound parameters (built once) gets them filled in instead."""
    if not 1 <= number <= MAX_PAGE:
        return None
    bounds = {"limit": per_page + 1, "offset": (number - 1) * per_page}
    if params is None:
        query, params = query.limit(bounds["limit"]).offset(bounds["offset"]), {}
    rows = list(db.session.scalars(query, params | bounds).unique())
    if number > 1 and not rows:
        return None
    return PostsPage(rows[:per_page], number, len(rows) > per_page)


def _with_terms(query: sa.Select) -> sa.Select:
    return query.options(selectinload(Post.terms))


# Built once: the home page is the blog's most read listing, and building these cost more than running them.
_NOW = sa.bindparam("now", type_=UTCDateTime)
_HOME = _with_terms(published_posts_query(_NOW)).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
_STICKY = _with_terms(published_posts_query(_NOW).where(Post.sticky))


def home_page(number: int, per_page: int) -> PostsPage | None:
    """The home page: newest posts, with the sticky ones first on page 1 (WordPress's order)."""
    now = {"now": utcnow()}
    page = _page_of(_HOME, number, per_page, now)
    if page is None or number != 1:
        return page
    sticky = list(db.session.scalars(_STICKY, now))
    if sticky:
        sticky_ids = {post.id for post in sticky}
        page.posts = sticky + [post for post in page.posts if post.id not in sticky_ids]
    return page


def period_page(start: datetime, end: datetime, number: int, per_page: int) -> PostsPage | None:
    """Posts published in [start, end): a year, a month or a day."""
    query = published_posts_query().where(Post.published_at >= start, Post.published_at < end)
    return _page_of(_with_terms(query), number, per_page)


def author_page(author: User, number: int, per_page: int) -> PostsPage | None:
    return _page_of(_with_terms(published_posts_query().where(Post.author_id == author.id)), number, per_page)


def terms_page(term_ids: list[int], number: int, per_page: int) -> PostsPage | None:
    """Posts in any of these terms (a category and its descendants), newest first.

    Each term's newest posts come from its own range of ix_post_terms_listing, at most as many as
    the page needs; the union of those few rows is sorted, so a page never sorts a whole category.
    """
    if not 1 <= number <= MAX_PAGE:
        return None
    wanted = number * per_page + 1
    now = utcnow()
    per_term = [
        sa.select(post_terms.c.post_id, post_terms.c.published_at)
        .where(post_terms.c.term_id == term_id, post_terms.c.listed, post_terms.c.published_at <= now)
        .order_by(post_terms.c.published_at.desc(), post_terms.c.post_id.desc())
        .limit(wanted).subquery().select()
        for term_id in term_ids[:50]  # a category tree wider than this shows its first branches
    ]
    candidates = (per_term[0] if len(per_term) == 1 else sa.union(*per_term)).subquery()
    newest = (sa.select(candidates.c.post_id, candidates.c.published_at)
              .order_by(candidates.c.published_at.desc(), candidates.c.post_id.desc())
              .limit(per_page + 1).offset((number - 1) * per_page).subquery())
    query = (sa.select(Post).join(newest, Post.id == newest.c.post_id).where(visible(Post, now))
             .order_by(newest.c.published_at.desc(), newest.c.post_id.desc()))
    rows = list(db.session.scalars(_with_terms(query)).unique())
    if number > 1 and not rows:
        return None
    return PostsPage(rows[:per_page], number, len(rows) > per_page)


CATEGORY_TREE_KEY = "blog.category_tree:{version}"
CATEGORY_TREE_SECONDS = 24 * 3600  # a new version makes a new key; old ones only wait to be evicted


def category_tree() -> dict[int, tuple[int | None, str]]:
    """Every category's (parent id, slug): paths and subtrees come from it. Read once per content
    version (a category's change bumps it) and cached, so a page showing a subcategory's link costs
    no statement more than one without; shared between requests, so never changed by a caller."""
    if "category_tree" not in g:
        key = CATEGORY_TREE_KEY.format(version=current_content_version())
        tree = cache.get(key)
        if tree is None:
            rows = db.session.execute(sa.select(Term.id, Term.parent_id, Term.slug).where(Term.taxonomy == "category"))
            tree = {row.id: (row.parent_id, row.slug) for row in rows}
            cache.set(key, tree, timeout=CATEGORY_TREE_SECONDS)
        g.category_tree = tree
    return g.category_tree


def category_at(path: str) -> tuple[Term | None, bool]:
    """The category whose last slug `path` ends with, and whether `path` is its address from the
    top ("news/local"); WordPress answers a child's own slug with a redirect to that address."""
    slugs = [slug for slug in path.split("/") if slug]
    if not slugs:
        return None, False
    term = db.session.scalar(sa.select(Term).where(Term.taxonomy == "category", Term.slug == slugs[-1]))
    if term is None:
        return None, False
    return term, category_path(term.id) == "/".join(slugs)


def category_path(term_id: int) -> str:
    """A category's slug after its ancestors'; a cycle in the parents ends the walk."""
    tree, slugs, seen, current = category_tree(), [], set(), term_id
    while current in tree and current not in seen:
        seen.add(current)
        parent_id, slug = tree[current]
        slugs.append(slug)
        current = parent_id
    return "/".join(reversed(slugs))


def category_subtree(term_id: int) -> list[int]:
    """The category and its descendants (WordPress's category archive shows them all)."""
    children: dict[int | None, list[int]] = {}
    for child, (parent_id, _slug) in category_tree().items():
        children.setdefault(parent_id, []).append(child)
    found, queue = [], [term_id]
    while queue:
        current = queue.pop(0)
        if current not in found:
            found.append(current)
            queue.extend(children.get(current, []))
    return found


def tag_with_slug(slug: str) -> Term | None:
    return db.session.scalar(sa.select(Term).where(Term.taxonomy == "tag", Term.slug == slug))


def author_with_slug(slug: str) -> User | None:
    """A user with published posts' public slug; readers see no other account."""
    return db.session.scalar(sa.select(User).where(User.nicename == slug))


def _neighbours_statement() -> sa.CompoundSelect:
    """The posts just before and just after (published_at, id): the columns a link to each needs."""
    this = sa.tuple_(sa.bindparam("published_at", type_=UTCDateTime), sa.bindparam("post_id"))
    key = sa.tuple_(Post.published_at, Post.id)
    base = sa.select(Post.id, Post.kind, Post.slug, Post.title, Post.password, Post.published_at).where(
        Post.kind == "post", visible(Post, sa.bindparam("now", type_=UTCDateTime)))
    older = base.where(key < this).order_by(Post.published_at.desc(), Post.id.desc()).limit(1)
    newer = base.where(key > this).order_by(Post.published_at, Post.id).limit(1)
    return sa.union_all(older.subquery().select(), newer.subquery().select())


# Built once: the post page runs it on every view, and building it cost more than running it.
_NEIGHBOURS = _neighbours_statement()


def neighbours(post: Post) -> tuple[sa.Row | None, sa.Row | None]:
    """The visible posts published just before and just after this one (one statement), as rows
    that post_url and post_title take."""
    older = newer = None
    for row in db.session.execute(_NEIGHBOURS, {"published_at": post.published_at, "post_id": post.id,
                                                "now": utcnow()}):
        if (row.published_at, row.id) < (post.published_at, post.id):
            older = row
        else:
            newer = row
    return older, newer
