"""The site's navigation menu and the sidebar's widgets: what every public page shows around its content.

Both are read once per content change, not once per page: the data is kept in Flask-Caching under
the content version (blog.content_version), which anything they show bumps (menu edits bump it
themselves, being no public model of the page cache's). A page then pays one primary-key read for
the version, and the templates get plain tuples (no ORM object, so no query while rendering).
The admin's edits are blog.menu_editing's.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import g, has_request_context, request, url_for
from flask_babel import get_locale
from sqlalchemy.orm import lazyload

from blog import permalinks, protected_posts
from blog.content_version import current_content_version
from blog.menu_editing import MENU_LOCATION
from blog.models import Comment, MenuItem, Post, Term
from blog.queries import published_posts_query, visible
from blog.settings import get_settings
from core.dates import format_local
from core.dbtypes import UTCDateTime, utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import cache, db

# The core widgets WordPress ships, by the key the sidebar_widgets setting stores.
WIDGETS = {
    "search": _l("Search"),
    "recent_posts": _l("Recent Posts"),
    "recent_comments": _l("Recent Comments"),
    "archives": _l("Archives"),
    "categories": _l("Categories"),
    "tag_cloud": _l("Tag Cloud"),
}
RECENT_COUNT = 5  # WordPress's Recent Posts and Recent Comments default
TAG_CLOUD_SIZE = 45  # wp_tag_cloud's default number of tags
TAG_CLOUD_LEVELS = 8  # font sizes from smallest to largest (classes tag-size-0 ..; CSP allows no inline style)
CACHE_KEY = "blog.navigation:{version}:{language}"  # they hold words ("Home"): a copy per language
CACHE_SECONDS = 24 * 3600  # a new version makes a new key; old ones only wait to be evicted


class Link(NamedTuple):
    label: str
    url: str
    children: tuple["Link", ...] = ()


class Counted(NamedTuple):
    label: str
    url: str
    count: int
    children: tuple["Counted", ...] = ()  # a category's sub-categories
    level: int = 0  # a tag's font size, 0 (fewest posts) to TAG_CLOUD_LEVELS - 1


class RecentComment(NamedTuple):
    author: str
    post_title: str
    url: str


@dataclass(frozen=True)
class Chrome:
    """What the navigation and the sidebar show, for one content version; immutable, as it is
    shared by every request that reads the same version."""

    menu: tuple[Link, ...]
    widgets: tuple[str, ...]
    recent_posts: tuple[Link, ...] = ()
    recent_comments: tuple[RecentComment, ...] = ()
    archives: tuple[Counted, ...] = ()
    categories: tuple[Counted, ...] = ()
    tags: tuple[Counted, ...] = ()
    # The next scheduled post's date: the lists change then, though nothing bumps the version.
    valid_until: datetime | None = field(default=None, compare=False)


def site_chrome() -> Chrome:
    """The menu and widgets for this request: one version read, then the cache (computed on a miss)."""
    if "blog_chrome" not in g:
        version = current_content_version()
        key = CACHE_KEY.format(version=version, language=get_locale())
        chrome = cache.get(key)
        if chrome is None or (chrome.valid_until is not None and utcnow() >= chrome.valid_until):
            chrome = compute_chrome()
            cache.set(key, chrome, timeout=CACHE_SECONDS)
        g.blog_chrome = chrome
    return g.blog_chrome


def compute_chrome() -> Chrome:
    """Read the menu and every widget's data from the database: the same statements however many posts
    there are (on SQLite the Archives add one per month, which costs no round trip)."""
    now = utcnow()
    return Chrome(
        menu=menu_tree(now),
        widgets=tuple(key for key in get_settings()["sidebar_widgets"] if key in WIDGETS),
        recent_posts=_recent_posts(now),
        recent_comments=_recent_comments(now),
        archives=_archives(now),
        categories=_categories(),
        tags=_tag_cloud(),
        valid_until=db.session.scalar(
            sa.select(sa.func.min(Post.published_at)).where(
                Post.status == "published", Post.kind.in_(("post", "page")), Post.published_at > now)),
    )


# The menu ---------------------------------------------------------------------------------------


def pages_with_ancestors(*conditions) -> dict[int, Post]:
    """The pages that meet `conditions`, and their ancestors, so that each page's address (its parents'
    slugs) comes from the session: one statement per level of nesting, not one per page. Callers name
    a page by id or by (kind, status, published_at), which the listing index serves: SQLite reads the
    whole table for `kind` alone."""
    pages: dict[int, Post] = {}
    query = sa.select(Post).where(Post.kind == "page", *conditions)
    while True:
        found = db.session.scalars(query.options(lazyload(Post.author))).all()
        pages |= {page.id: page for page in found}
        missing = {page.parent_id for page in found if page.parent_id and page.parent_id not in pages}
        if not missing:
            return pages
        query = sa.select(Post).where(Post.id.in_(missing))


def _all_categories() -> dict[int, Term]:
    """Every category, so that a category's ancestors (its address) come from the session."""
    return {term.id: term for term in db.session.scalars(sa.select(Term).where(Term.taxonomy == "category"))}


def _is_visible_page(page: Post | None, now: datetime) -> bool:
    return page is not None and page.kind == "page" and page.status == "published" and page.published_at <= now


def menu_tree(now: datetime | None = None) -> tuple[Link, ...]:
    """The primary menu: its items in order, each with its children; items whose page is not visible
    or whose term is gone are left out. No item at all: Home and the top-level pages (WordPress's
    fallback)."""
    now = now or utcnow()
    items = db.session.scalars(
        sa.select(MenuItem).where(MenuItem.location == MENU_LOCATION).order_by(MenuItem.position, MenuItem.id)
    ).all()
    if not items:
        pages = pages_with_ancestors(visible(Post, now), Post.parent_id.is_(None))
        top = sorted(pages.values(), key=lambda p: (p.menu_order, p.title.lower(), p.id))
        return (Link(_("Home"), url_for("blog.index")),
                *(Link(protected_posts.display_title(p), permalinks.post_url(p)) for p in top))
    pages = pages_with_ancestors(Post.id.in_({i.object_id for i in items if i.kind == "page"}))
    terms = {t.id: t for t in db.session.scalars(
        sa.select(Term).where(Term.id.in_({i.object_id for i in items if i.kind in ("category", "tag")})))}
    if any(t.parent_id for t in terms.values()):
        terms |= _all_categories()  # a child category's address names its parents
    links = {item.id: _item_link(item, pages, terms, now) for item in items}
    tree = []
    for item in items:
        if item.parent_id is None and links[item.id]:
            children = tuple(links[c.id] for c in items if c.parent_id == item.id and links[c.id])
            tree.append(links[item.id]._replace(children=children))
    return tuple(tree)


def _item_link(item: MenuItem, pages: dict[int, Post], terms: dict[int, Term], now: datetime) -> Link | None:
    if item.kind == "custom":
        return Link(item.label or item.url, item.url) if item.url else None
    if item.kind == "page":
        page = pages.get(item.object_id)
        if not _is_visible_page(page, now):
            return None
        return Link(item.label or protected_posts.display_title(page), permalinks.post_url(page))
    term = terms.get(item.object_id)
    if term is None or term.taxonomy != ("category" if item.kind == "category" else "tag"):
        return None
    return Link(item.label or term.name, permalinks.term_url(term))


def is_current(url: str, path: str) -> bool:
    """Whether a menu link leads to the page at `path` (aria-current)."""
    return urlsplit(url).netloc == "" and urlsplit(url).path == path


# The widgets ------------------------------------------------------------------------------------


def _recent_posts(now: datetime) -> tuple[Link, ...]:
    posts = db.session.scalars(published_posts_query(now).options(lazyload(Post.author)).limit(RECENT_COUNT))
    return tuple(Link(protected_posts.display_title(p), permalinks.post_url(p)) for p in posts)


def _recent_comments(now: datetime) -> tuple[RecentComment, ...]:
    """The newest approved comments on posts a visitor may read (not protected ones: their
    discussion is for who has the password), newest first."""
    rows = db.session.execute(
        sa.select(Comment.id, Comment.author_name, Post)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.status == "approved", visible(Post, now), protected_posts.unprotected())
        .options(lazyload(Post.author))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(RECENT_COUNT)
    ).all()
    return tuple(RecentComment(name or _("Anonymous"), post.title, url_for("blog.comment_link", comment_id=cid))
                 for cid, name, post in rows)


def _archives(now: datetime) -> tuple[Counted, ...]:
    """Months with published posts, newest first, with their counts, in the blog's time zone."""
    zone = permalinks.blog_timezone()
    return tuple(Counted(format_local(local, "%B %Y"), permalinks.month_url(local.year, local.month), count)
                 for start, _end, _newest, count in months_with_posts(now, counted=True)
                 for local in (start.astimezone(zone),))


_LISTED = (Post.kind == "post", Post.status == "published")

# PostgreSQL walks the months in one statement (a recursive query): each step is one seek of the
# listing index for the newest post before the month found last, and each month's posts are counted
# over the index's range for that month. Not a GROUP BY over every post.
_MONTHS_POSTGRESQL = sa.text("""
WITH RECURSIVE months(newest) AS (
    SELECT max(published_at) FROM posts WHERE kind = 'post' AND status = 'published' AND published_at <= :now
  UNION ALL
    SELECT (SELECT max(p.published_at) FROM posts p WHERE p.kind = 'post' AND p.status = 'published'
            AND p.published_at < (date_trunc('month', months.newest AT TIME ZONE :zone) AT TIME ZONE :zone))
    FROM months WHERE months.newest IS NOT NULL
)
SELECT newest, date_trunc('month', newest AT TIME ZONE :zone) AT TIME ZONE :zone AS start,
       CASE WHEN :counted THEN (SELECT count(*) FROM posts p WHERE p.kind = 'post' AND p.status = 'published'
            AND p.published_at >= date_trunc('month', newest AT TIME ZONE :zone) AT TIME ZONE :zone
            AND p.published_at <= newest) END AS posts
FROM months WHERE newest IS NOT NULL ORDER BY newest DESC
""").columns(sa.column("newest", UTCDateTime), sa.column("start", UTCDateTime), sa.column("posts", sa.Integer))


def months_with_posts(now: datetime, counted: bool = False) -> list[tuple[datetime, datetime, datetime, int | None]]:
    """(start, end, newest post's date, posts if `counted`) of each local month with a visible post,
    newest first (the newest month ends just after now), at one index seek a month however many
    posts each holds (SQLite: a statement each, which costs no round trip; its counts in one more)."""
    zone = permalinks.blog_timezone()
    end = now + timedelta(microseconds=1)
    if db.engine.dialect.name == "postgresql":
        months = []
        for row in db.session.execute(_MONTHS_POSTGRESQL, {"now": now, "zone": zone.key, "counted": counted}):
            months.append((row.start.astimezone(zone), end, row.newest, row.posts))
            end = row.start
        return months
    months = []
    newest = db.session.scalar(sa.select(sa.func.max(Post.published_at)).where(*_LISTED, Post.published_at <= now))
    while newest is not None:
        start = newest.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if months and start >= months[-1][0]:
            break  # a date stored in another text form compares wrongly: never walk the same month twice
        months.append((start, end, newest))
        end = start
        newest = db.session.scalar(sa.select(sa.func.max(Post.published_at)).where(*_LISTED, Post.published_at < start))
    if not counted or not months:
        return [(*month, None) for month in months]
    counts = db.session.execute(sa.select(*(
        sa.select(sa.func.count()).where(*_LISTED, Post.published_at >= start, Post.published_at <= newest)
        .scalar_subquery() for start, _end, newest in months))).one()
    return [(*month, count) for month, count in zip(months, counts, strict=True)]


def _categories() -> tuple[Counted, ...]:
    """Categories with posts (or with descendants that have some), as a tree in name order."""
    categories = _all_categories()
    children: dict[int | None, list[Term]] = {}
    for term in categories.values():
        parent = term.parent_id if term.parent_id in categories else None
        children.setdefault(parent, []).append(term)

    def subtree_count(term: Term, seen: frozenset = frozenset()) -> int:
        if term.id in seen:
            return 0
        return term.post_count + sum(subtree_count(c, seen | {term.id}) for c in children.get(term.id, ()))

    def walk(parent: int | None, seen: frozenset) -> tuple[Counted, ...]:
        return tuple(
            Counted(term.name, permalinks.term_url(term), term.post_count, children=walk(term.id, seen | {term.id}))
            for term in sorted(children.get(parent, ()), key=lambda t: (t.name.lower(), t.id))
            if term.id not in seen and subtree_count(term))

    return walk(None, frozenset())


def _tag_cloud() -> tuple[Counted, ...]:
    """The most used tags (WordPress's 45), in name order, sized by their counts."""
    tags = db.session.scalars(
        sa.select(Term).where(Term.taxonomy == "tag", Term.post_count > 0)
        .order_by(Term.post_count.desc(), Term.id).limit(TAG_CLOUD_SIZE)).all()
    if not tags:
        return ()
    low, high = min(t.post_count for t in tags), max(t.post_count for t in tags)
    spread = max(high - low, 1)  # linear in the count, as wp_tag_cloud's sizes
    return tuple(Counted(t.name, permalinks.term_url(t), t.post_count,
                         level=round((t.post_count - low) * (TAG_CLOUD_LEVELS - 1) / spread))
                 for t in sorted(tags, key=lambda t: (t.name.lower(), t.id)))


# Endpoints of the blog blueprint whose answer is no HTML page around content.
NOT_PAGES = frozenset({"blog.sitemap", "blog.sitemap_site", "blog.sitemap_month", "blog.robots", "blog.identicon"})


def init_app(app) -> None:
    """Hand the menu and the sidebar to the templates of the blog's public pages only."""
    app.context_processor(_chrome_context)


def _chrome_context() -> dict:
    from errors import answering_a_failure  # the app's error pages: imported late, as blog is below them

    if (not has_request_context() or request.blueprint != "blog" or request.endpoint in NOT_PAGES
            or answering_a_failure()):  # the database may be what failed
        return {}
    return {"site_chrome": site_chrome(), "menu_is_current": lambda url: is_current(url, request.path)}
