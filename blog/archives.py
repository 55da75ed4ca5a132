"""Listings at WordPress's addresses: the home page, category, tag, author and date archives, each
paginated with /page/N/ and with its feed; anyone may call them."""

from collections.abc import Callable

from flask import abort, current_app, redirect, render_template, request, url_for

from blog import bp, feeds, listing_queries
from blog.listing_queries import PostsPage
from blog.models import Term
from blog.permalinks import author_url, period_bounds, term_url
from blog.seo import listing_meta
from blog.templating import local_date
from core.i18n import gettext as _
from core.i18n import isolate

PAGED = "page/<int:page>/"
YEAR = "/<int(fixed_digits=4):year>/"
MONTH = YEAR + "<int(fixed_digits=2):month>/"
DAY = MONTH + "<int(fixed_digits=2):day>/"


def _per_page() -> int:
    return current_app.config["POSTS_PER_PAGE"]


def _link_to_page(number: int) -> str:
    """This listing's address for page `number` (page 1 has no /page/1/)."""
    return url_for(request.endpoint, **{**request.view_args, "page": number})


def _listing(page: PostsPage | None, heading: str | None = None, description: str = "",
             kind: str = "home", feed_url: str | None = None, status: int = 200):
    """Render a page of posts; a page past the end is a 404."""
    if page is None:
        abort(404)
    config = current_app.config
    seo = listing_meta(heading or config["BLOG_TITLE"], description or heading or config["BLOG_TAGLINE"],
                       _link_to_page(page.number), page.has_prev and _link_to_page(page.number - 1),
                       page.has_next and _link_to_page(page.number + 1))
    return render_template("blog/archive.html", page=page, heading=heading, description=description,
                           archive_kind=kind, feed_url=feed_url, page_link=_link_to_page, seo=seo), status


@bp.get("/", defaults={"page": 1})
@bp.get("/" + PAGED)
def index(page: int):
    """Published posts, sticky ones first, newest first, a page at a time (or search results with ?s=)."""
    if "paged" in request.args:  # WordPress's plain links to page N (of the posts, or of a search)
        number = request.args.get("paged", type=int)
        search = {"s": request.args["s"]} if "s" in request.args else {}
        return redirect(url_for("blog.index", page=number if number and number > 0 else 1, **search), 301)
    if "s" in request.args:
        from blog.search import search_page

        return search_page(request.args.get("s", ""), page)
    return _listing(listing_queries.home_page(page, _per_page()))


@bp.get("/category/<path:path>/", defaults={"page": 1})
@bp.get("/category/<path:path>/" + PAGED)
def category_archive(path: str, page: int):
    """A category's posts and its subcategories'."""
    category = _category(path, page)
    posts = listing_queries.terms_page(listing_queries.category_subtree(category.id), page, _per_page())
    return _listing(posts, _("Category: %(name)s", name=isolate(category.name)), category.description, "category",
                    url_for("blog.category_feed", path=path))


def _category(path: str, page: int) -> Term:
    """The category at `path`; its own slug alone, or under the wrong parents, is sent on (301)."""
    category, exact = listing_queries.category_at(path)
    if category is None:
        abort(404)
    if not exact:
        abort(redirect(term_url(category, **({"page": page} if page > 1 else {})), 301))
    return category


@bp.get("/tag/<slug>/", defaults={"page": 1})
@bp.get("/tag/<slug>/" + PAGED)
def tag_archive(slug: str, page: int):
    """A tag's posts."""
    tag = listing_queries.tag_with_slug(slug) or abort(404)
    posts = listing_queries.terms_page([tag.id], page, _per_page())
    return _listing(posts, _("Tag: %(name)s", name=isolate(tag.name)), tag.description, "tag",
                    url_for("blog.tag_feed", slug=slug))


@bp.get("/author/<slug>/", defaults={"page": 1})
@bp.get("/author/<slug>/" + PAGED)
def author_archive(slug: str, page: int):
    """An author's posts; an account with none has no public page (no list of staff to be had)."""
    author = listing_queries.author_with_slug(slug) or abort(404)
    posts = listing_queries.author_page(author, page, _per_page())
    if posts is None or not posts.posts:
        abort(404)
    return _listing(posts, _("Author: %(name)s", name=isolate(author.display_name)), author.bio or "", "author",
                    url_for("blog.author_feed", slug=slug))


@bp.get(YEAR, defaults={"page": 1})
@bp.get(YEAR + PAGED)
def year_archive(year: int, page: int):
    """The posts of a year; a year without posts is a 404, as on WordPress."""
    return _period_listing(_("Year: %(date)s", date=year), page, year)


@bp.get(MONTH, defaults={"page": 1})
@bp.get(MONTH + PAGED)
def month_archive(year: int, month: int, page: int):
    """The posts of a month."""
    return _period_listing(_("Month: %(date)s"), page, year, month, fmt="%B %Y")


@bp.get(DAY, defaults={"page": 1})
@bp.get(DAY + PAGED)
def day_archive(year: int, month: int, day: int, page: int):
    """The posts of a day."""
    return _period_listing(_("Day: %(date)s"), page, year, month, day, fmt="%B %-d, %Y")


def _period_listing(heading: str, page: int, year: int, month: int | None = None, day: int | None = None,
                    fmt: str | None = None):
    bounds = period_bounds(year, month, day) or abort(404)
    posts = listing_queries.period_page(*bounds, page, _per_page())
    if posts is None or not posts.posts:
        abort(404)
    if fmt:
        heading = heading % {"date": local_date(bounds[0], fmt)}
    return _listing(posts, heading, kind="date")


@bp.get("/category/<path:path>/feed/", defaults={"kind": "rss"})
def category_feed(path: str, kind: str):
    """A category's newest posts as RSS."""
    category, exact = listing_queries.category_at(path)
    if not exact:
        abort(404)
    return _feed(lambda n: listing_queries.terms_page(listing_queries.category_subtree(category.id), 1, n),
                 _("Category: %(name)s", name=category.name), term_url(category, _external=True), kind)


@bp.get("/tag/<slug>/feed/", defaults={"kind": "rss"})
def tag_feed(slug: str, kind: str):
    """A tag's newest posts as RSS."""
    tag = listing_queries.tag_with_slug(slug) or abort(404)
    return _feed(lambda n: listing_queries.terms_page([tag.id], 1, n), _("Tag: %(name)s", name=tag.name),
                 term_url(tag, _external=True), kind)


@bp.get("/author/<slug>/feed/", defaults={"kind": "rss"})
def author_feed(slug: str, kind: str):
    """An author's newest posts as RSS."""
    author = listing_queries.author_with_slug(slug) or abort(404)
    return _feed(lambda n: listing_queries.author_page(author, 1, n), _("Author: %(name)s", name=author.display_name),
                 author_url(author, _external=True), kind)


def _feed(newest: Callable[[int], PostsPage | None], title: str, page_url: str, kind: str):
    page = newest(feeds.FEED_SIZE)
    return feeds.posts_feed_response(kind, page.posts if page else [], title, page_url)
