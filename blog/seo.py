"""What search engines and link previews read in a page's <head>: canonical address, description,
Open Graph and Twitter card tags, JSON-LD, and rel=prev/next on paged listings.

Views hand templates a `seo` PageMeta built here (post_meta, page_meta, listing_meta); a page without
one gets default_page_meta. Every address is absolute and built on SITE_URL (core.security.SiteURLFlask),
never on the request's Host header.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Flask, current_app, request, url_for

from auth.models import User
from blog import permalinks, protected_posts
from blog.excerpts import excerpt_text
from blog.models import Post, Term, post_terms
from blog.navigation import months_with_posts, pages_with_ancestors
from blog.queries import visible
from core.dbtypes import utcnow
from extensions import db

DESCRIPTION_CHARS = 155  # what result pages show of a description


@dataclass(frozen=True)
class PageMeta:
    """The head tags of one page; absolute URLs only."""

    title: str
    description: str = ""
    canonical: str | None = None
    og_type: str = "website"  # "article" for a post or a page
    published: str | None = None  # ISO 8601, UTC
    modified: str | None = None
    author_name: str | None = None
    author_url: str | None = None
    prev_url: str | None = None
    next_url: str | None = None
    json_ld: tuple[dict, ...] = ()
    image: dict | None = None  # url, width, height, alt, type: the post's featured image


def absolute_url(path: str) -> str:
    """A path on this site (as url_for gives it) as an absolute URL on SITE_URL's scheme and host."""
    site = urlsplit(current_app.config["SITE_URL"])
    parts = urlsplit(path)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, ""))


def description_of(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Plain text cut at a word boundary to about `limit` characters (an ellipsis tells it was cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—[…")
    return cut + "…"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def post_meta(post: Post) -> PageMeta:
    """A post's or a page's tags: an article with its dates and author, and JSON-LD (a post's
    BlogPosting, a page's WebPage). A protected post's text stays out: only its title shows."""
    url = permalinks.post_url(post, _external=True)
    title = protected_posts.display_title(post)
    description = "" if protected_posts.is_protected(post) else description_of(excerpt_text(post))
    published, modified = _iso(post.published_at), _iso(max(post.updated_at, post.published_at))
    author = post.author
    author_url = permalinks.author_url(author, _external=True) if author and author.nicename else None
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting" if post.kind == "post" else "WebPage",
        "headline": title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": published,
        "dateModified": modified,
        "commentCount": post.comment_count,
    }
    if post.kind != "post":
        data["name"] = data.pop("headline")
        del data["mainEntityOfPage"]
    if description:
        data["description"] = description
    if author:
        data["author"] = {"@type": "Person", "name": author.display_name} | ({"url": author_url} if author_url else {})
    image = None if protected_posts.is_protected(post) else featured_image_meta(post.featured_media)
    if image:
        data["image"] = image["url"]
    return PageMeta(title=title, description=description, canonical=url, og_type="article", published=published,
                    modified=modified, author_name=author.display_name if author else None, author_url=author_url,
                    json_ld=(data,), image=image)


def featured_image_meta(media) -> dict | None:
    """A link preview's image: the featured image's full size (at most 2560 px), absolute."""
    if media is None or not media.ready:
        return None
    full = media.sizes["full"]
    return {"url": absolute_url(media.url("full")), "width": full["width"], "height": full["height"],
            "alt": media.alt_text, "type": media.mime_type}


def page_meta(page: Post) -> PageMeta:
    """A static page's tags (the lead's blog.pages calls it)."""
    return post_meta(page)


def listing_meta(title: str, description: str = "", canonical_path: str | None = None,
                 prev_path: str | None = None, next_path: str | None = None) -> PageMeta:
    """A listing's tags (home, archives, search): its address, and its neighbours for rel=prev/next.
    Paths as url_for gives them; the home page's first page also describes the site (WebSite JSON-LD)."""
    canonical = absolute_url(canonical_path) if canonical_path else None
    json_ld = (website_json_ld(),) if canonical == url_for("blog.index", _external=True) else ()
    return PageMeta(title=title, description=description_of(description), canonical=canonical,
                    prev_url=absolute_url(prev_path) if prev_path else None,
                    next_url=absolute_url(next_path) if next_path else None, json_ld=json_ld)


def website_json_ld() -> dict:
    """The site and its search (a SearchAction: search engines may offer a search box for it)."""
    home = url_for("blog.index", _external=True)
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": current_app.config["BLOG_TITLE"],
        "description": current_app.config["BLOG_TAGLINE"],
        "url": home,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": home + "?s={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }


def default_page_meta() -> PageMeta:
    """A page whose view gave no PageMeta: the blog's name and tagline; the home page's own address."""
    config = current_app.config
    home = request.endpoint == "blog.index" and not request.args and (request.view_args or {}).get("page", 1) == 1
    return PageMeta(title=config["BLOG_TITLE"], description=description_of(config["BLOG_TAGLINE"]),
                    canonical=url_for("blog.index", _external=True) if home else None,
                    json_ld=(website_json_ld(),) if home else ())


def init_app(app: Flask) -> None:
    app.add_template_global(default_page_meta)


@dataclass(frozen=True)
class Sitemap:
    """A urlset of (address, last change), or, for a blog with more posts, an index of sitemaps."""

    entries: list[tuple[str, datetime]]
    is_index: bool = False


def _post_rows(*conditions, now: datetime) -> sa.Select:
    """Visible, unprotected posts as the four columns their address and date need (no ORM objects)."""
    return (sa.select(Post.kind, Post.slug, Post.published_at, Post.updated_at)
            .where(Post.kind == "post", visible(Post, now), protected_posts.unprotected(), *conditions)
            .order_by(Post.published_at.desc(), Post.id.desc()))


def _post_entries(rows) -> list[tuple[str, datetime]]:
    return [(permalinks.post_url(row, _external=True), max(row.updated_at, row.published_at)) for row in rows]


def sitemap(now: datetime | None = None) -> Sitemap:
    """/sitemap.xml: every page itself while the blog has few posts; beyond SITEMAP_MAX_URLS an index
    of the site's sitemap and one per month of posts, as WordPress splits its own (no request reads
    every post)."""
    now = now or utcnow()
    most = current_app.config["SITEMAP_MAX_URLS"]
    rows = db.session.execute(_post_rows(now=now).limit(most + 1)).all()
    if len(rows) <= most:
        return Sitemap(site_entries(now) + _post_entries(rows))
    site = site_entries(now)
    index = [(url_for("blog.sitemap_site", _external=True), max((changed for _, changed in site), default=now))]
    for start, _end, newest, _count in months_with_posts(now):
        local = start.astimezone(permalinks.blog_timezone())
        index.append((url_for("blog.sitemap_month", year=local.year, month=local.month, _external=True), newest))
    return Sitemap(index, is_index=True)


def month_sitemap(year: int, month: int, now: datetime | None = None) -> list[tuple[str, datetime]] | None:
    """The posts of one month of the blog's time zone (None for a month that does not exist)."""
    now = now or utcnow()
    bounds = permalinks.period_bounds(year, month)
    if bounds is None:
        return None
    start, end = bounds
    return _post_entries(db.session.execute(
        _post_rows(Post.published_at >= start, Post.published_at < end, now=now)))


def site_entries(now: datetime | None = None) -> list[tuple[str, datetime]]:
    """(address, last change) of published pages (not protected ones), categories and tags with posts,
    and authors' archives: a statement each, whatever the number of posts."""
    now = now or utcnow()
    pages = pages_with_ancestors(visible(Post, now)).values()
    entries = [(permalinks.post_url(page, _external=True), max(page.updated_at, page.published_at))
                for page in sorted(pages, key=lambda p: (p.menu_order, p.id))
                if visible(page, now) and not protected_posts.is_protected(page)]
    term_changed = (sa.select(sa.func.max(post_terms.c.published_at))
                    .where(post_terms.c.term_id == Term.id, post_terms.c.listed, post_terms.c.published_at <= now)
                    .scalar_subquery())
    terms = db.session.execute(sa.select(Term, term_changed.label("changed"))
                               .where(Term.taxonomy == "category").order_by(Term.id)).all()
    terms += db.session.execute(sa.select(Term, term_changed.label("changed"))
                                .where(Term.taxonomy == "tag", Term.post_count > 0).order_by(Term.id)).all()
    entries += [(permalinks.term_url(term, _external=True), changed) for term, changed in terms if changed]
    author_changed = (sa.select(sa.func.max(Post.published_at))
                      .where(Post.author_id == User.id, Post.kind == "post", visible(Post, now)).scalar_subquery())
    authors = db.session.execute(sa.select(User.nicename, author_changed.label("changed"))
                                 .where(User.nicename.is_not(None)).order_by(User.id))
    entries += [(permalinks.author_url(author, _external=True), author.changed) for author in authors if author.changed]
    return entries
