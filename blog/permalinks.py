"""The blog's addresses, as WordPress makes them: "day and name" post permalinks dated in the blog's
time zone, pages by their parents' slugs, term, author and date archives; and which route an address
of this site names (for what other sites send: Webmention targets, fediverse replies)."""

from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from auth.models import User
from blog.listing_queries import category_path
from blog.models import Post, Term
from blog.queries import find_published_post


def blog_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BLOG_TIMEZONE"])


def post_url(post: Post, **kwargs) -> str:
    """The permalink of a post, /<yyyy>/<mm>/<dd>/<slug>/, or of a page, /<parent>/<slug>/."""
    if post.kind == "page":
        return url_for("blog.page", **{f"s{n}": slug for n, slug in enumerate(page_path(post).split("/"))}, **kwargs)
    local = post.published_at.astimezone(blog_timezone())
    return url_for(
        "blog.post", year=local.year, month=local.month, day=local.day, slug=post.slug, **kwargs
    )


def page_path(page: Post) -> str:
    """The page's slug after its ancestors' ("about/team"); a cycle in the parents ends the walk."""
    slugs, seen, current = [], set(), page
    while current is not None and current.id not in seen:
        seen.add(current.id)
        slugs.append(current.slug)
        current = current.parent
    return "/".join(reversed(slugs))


def term_path(term: Term) -> str:
    """A category's slug after its ancestors' ("news/local"); a tag's slug."""
    if term.taxonomy != "category" or term.parent_id is None:
        return term.slug
    return category_path(term.id) or term.slug


def term_url(term: Term, **kwargs) -> str:
    """/category/<parent>/<child>/ or /tag/<slug>/."""
    if term.taxonomy == "category":
        return url_for("blog.category_archive", path=term_path(term), **kwargs)
    return url_for("blog.tag_archive", slug=term.slug, **kwargs)


def author_url(user: User, **kwargs) -> str:
    return url_for("blog.author_archive", slug=user.nicename, **kwargs)


def year_url(year: int, **kwargs) -> str:
    return url_for("blog.year_archive", year=year, **kwargs)


def month_url(year: int, month: int, **kwargs) -> str:
    return url_for("blog.month_archive", year=year, month=month, **kwargs)


def day_url(year: int, month: int, day: int, **kwargs) -> str:
    return url_for("blog.day_archive", year=year, month=month, day=day, **kwargs)


def comment_mail_link(comment_id: int) -> str:
    """The absolute link mails give a comment: /comments/<id>/ answers with the comment page that
    shows it now, which changes as newer threads fill pages."""
    return url_for("blog.comment_link", comment_id=comment_id, _external=True)


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number: no site
        return "", "", -1
    return parts.scheme.lower(), (parts.hostname or "").rstrip("."), port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)


def on_this_site(url: str) -> bool:
    """Whether the URL's scheme, host and port are SITE_URL's."""
    return origin(url) == origin(current_app.config["SITE_URL"])


def route_of(url: str, hops: int = 2) -> tuple[str, dict, str] | None:
    """The endpoint, arguments and query string an address of this site is routed to, as a visitor's
    request would be, after up to `hops` of the blog's own redirects (a missing trailing slash,
    WordPress's /?p=ID); None for an address elsewhere or one that names no page."""
    if not on_this_site(url):
        return None
    site, parts = urlsplit(current_app.config["SITE_URL"]), urlsplit(url)
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    path, prefix = unquote(parts.path) or "/", site.path.rstrip("/")
    if prefix:
        if not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix):]
    try:
        endpoint, args = adapter.match(path, method="GET", query_args=parts.query)
    except RequestRedirect as moved:
        return route_of(moved.new_url, hops - 1) if hops and moved.new_url != url else None
    except HTTPException:
        return None
    return endpoint, args, parts.query


def day_bounds(year: int, month: int, day: int) -> tuple[datetime, datetime] | None:
    """The UTC start and end of a local calendar day, or None when the date does not exist."""
    try:
        start = datetime(year, month, day, tzinfo=blog_timezone())
    except ValueError:
        return None
    return start, start + timedelta(days=1)


def post_at_permalink(year: int, month: int, day: int, slug: str) -> Post | None:
    """The published post a "day and name" permalink names; None, a date that does not exist included."""
    bounds = day_bounds(year, month, day)
    return find_published_post(slug, *bounds) if bounds else None


def period_bounds(year: int, month: int | None = None, day: int | None = None) -> tuple[datetime, datetime] | None:
    """The UTC start and end of a local year, month or day, or None when the date does not exist."""
    if day is not None:
        return day_bounds(year, month, day)
    zone = blog_timezone()
    try:
        if month is None:
            return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    except ValueError:
        return None
    return start, end
