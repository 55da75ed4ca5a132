"""RSS 2.0 and Atom feeds (posts, all comments, one post's comments), sitemap.xml and robots.txt."""

import html
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request, url_for

from blog import bp, protected_posts, queries, seo
from blog.excerpts import excerpt_text
from blog.media.responsive import absolute_media_urls
from blog.models import Comment, Post
from blog.permalinks import post_at_permalink, post_url
from blog.rendering import render_comment, render_post_body
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import isolate
from extensions import db

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

FEED_SIZE = 10  # WordPress's "Syndication feeds show the most recent" default
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


def xml_text(text: str) -> str:
    """`text` without what XML 1.0 cannot hold even escaped: one stray control character in a
    comment (from a provider's name, say) would otherwise make the whole feed a 500."""
    return NOT_XML.sub("", str(text))


@bp.app_template_global()
def post_feed_url(post: Post, kind: str = "rss") -> str:
    """<post permalink>feed/ (or feed/atom/): the post's comments feed."""
    return post_url(post, _external=True) + ("feed/" if kind == "rss" else "feed/atom/")


def post_guid(post: Post) -> str:
    """WordPress's stable id for a post: the imported guid, else <home>?p=<id>."""
    return post.guid or url_for("blog.index", p=post.id, _external=True)


def comment_guid(post: Post, comment: Comment) -> str:
    return f"{post_guid(post)}#comment-{comment.id}"


def _content(post: Post) -> str:
    # Feed readers carry no post-password cookie: a protected post's body never goes out.
    if protected_posts.is_protected(post):
        return html.escape(_(protected_posts.NO_EXCERPT), quote=False)
    return absolute_media_urls(render_post_body(post.body, post.body_format))


def _add_featured_image(entry, post: Post) -> None:
    """The featured image as the entry's enclosure (RSS) or rel="enclosure" link (Atom)."""
    media = post.featured_media
    if media is None or not media.ready or protected_posts.is_protected(post):
        return
    entry.enclosure(seo.absolute_url(media.url("full")), str(media.sizes["full"]["bytes"]), media.mime_type)


def _new_feed(title: str, page_url: str, self_url: str, description: str) -> "FeedGenerator":
    # Imported on first use: feedgen and lxml are heavy, and a worker that serves no feed never loads them.
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.id(self_url)
    feed.title(title)
    feed.subtitle(description or title)
    feed.link(href=page_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language("en")
    feed.generator("Flask blog")
    return feed


def _respond(feed: "FeedGenerator", kind: str, newest: datetime | None) -> Response:
    newest = newest or utcnow()
    feed.updated(newest)
    feed.lastBuildDate(newest)
    body = feed.atom_str(pretty=True) if kind == "atom" else feed.rss_str(pretty=True)
    response = Response(body, mimetype=MEDIA_TYPES[kind].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[kind]
    response.last_modified = newest
    response.add_etag()
    return response.make_conditional(request)


def _post_dates(post: Post) -> tuple[datetime, datetime]:
    return post.published_at, max(post.updated_at, post.published_at)


@bp.get("/feed/", defaults={"kind": "rss"}, endpoint="feed")
@bp.get("/feed/atom/", defaults={"kind": "atom"}, endpoint="feed_atom")
def posts_feed(kind: str):
    """The latest published posts as RSS 2.0 or Atom; anyone may call."""
    posts = list(db.session.scalars(queries.published_posts_query().limit(FEED_SIZE)))
    return posts_feed_response(kind, posts, None, url_for("blog.index", _external=True))


def posts_feed_response(kind: str, posts: list[Post], title: str | None, page_url: str) -> Response:
    """A feed of these posts; `title` names the listing it follows ("Category: News"), None the blog's."""
    config = current_app.config
    blog_title = config["BLOG_TITLE"]
    feed = _new_feed(
        # A search's words may hold anything, in either direction.
        xml_text(_("%(blog)s » %(listing)s", blog=blog_title, listing=isolate(title)) if title else blog_title),
        page_url,
        request.base_url,
        config["BLOG_TAGLINE"],
    )
    for post in posts:
        published, updated = _post_dates(post)
        entry = feed.add_entry(order="append")
        entry.guid(post_guid(post), permalink=False)
        entry.title(xml_text(protected_posts.display_title(post)))
        entry.link(href=post_url(post, _external=True))
        entry.published(published)
        entry.updated(updated)
        if post.author:
            entry.author(name=post.author.display_name)
            entry.dc.dc_creator(post.author.display_name)
        entry.summary(html.escape(excerpt_text(post), quote=False), type="html")
        entry.content(xml_text(_content(post)), type="html")
        _add_featured_image(entry, post)
        if post.comment_count:
            entry.comments(post_url(post, _external=True, _anchor="comments"))
    newest = max((_post_dates(p)[1] for p in posts), default=None)
    return _respond(feed, kind, newest)


def _comments_feed(
    kind: str, comments: list[tuple[Comment, Post]], title: str, page_url: str, one_post: bool
) -> Response:
    feed = _new_feed(title, page_url, request.base_url, current_app.config["BLOG_TAGLINE"])
    for comment, post in comments:
        author = xml_text(comment.author_name or _("Anonymous"))
        entry = feed.add_entry(order="append")
        entry.guid(comment_guid(post, comment), permalink=False)
        # A feed's title is plain text: names and titles of either direction isolated with Unicode's marks.
        entry.title(xml_text(_("By: %(author)s", author=isolate(author)) if one_post else
                             _("Comment on %(title)s by %(author)s", title=isolate(post.title),
                               author=isolate(author))))
        entry.link(href=post_url(post, _external=True, _anchor=f"comment-{comment.id}"))
        entry.published(comment.created_at)
        entry.updated(comment.created_at)
        entry.author(name=author)
        entry.dc.dc_creator(author)
        # RSS readers render a description as HTML: send the sanitized markup the page shows.
        entry.summary(xml_text(render_comment(comment.body)), type="html")
    newest = max((c.created_at for c, _post in comments), default=None)
    return _respond(feed, kind, newest)


@bp.get("/comments/feed/", defaults={"kind": "rss"}, endpoint="comments_feed")
@bp.get("/comments/feed/atom/", defaults={"kind": "atom"}, endpoint="comments_feed_atom")
def all_comments_feed(kind: str):
    """The latest approved comments on published posts, except protected ones; anyone may call."""
    visible = queries.published_posts_query().where(protected_posts.unprotected()).order_by(None).subquery()
    rows = (
        db.session.execute(
            sa.select(Comment, Post)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.status == "approved", Comment.post_id.in_(sa.select(visible.c.id)))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(FEED_SIZE)
        )
        .tuples()
        .all()
    )
    title = _("Comments for %(blog)s", blog=current_app.config["BLOG_TITLE"])
    return _comments_feed(kind, rows, title, url_for("blog.index", _external=True), False)


POST_PATH = "/<int:year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>/<slug>/"


@bp.get(POST_PATH + "feed/", defaults={"kind": "rss"}, endpoint="post_comments_feed")
@bp.get(POST_PATH + "feed/atom/", defaults={"kind": "atom"}, endpoint="post_comments_feed_atom")
def post_comments_feed(year: int, month: int, day: int, slug: str, kind: str):
    """One published post's approved comments, newest first (none for a protected post); anyone may call."""
    post = post_at_permalink(year, month, day, slug)
    if not post:
        abort(404)
    comments = [] if protected_posts.is_protected(post) else db.session.scalars(
        sa.select(Comment)
        .where(Comment.post_id == post.id, Comment.status == "approved")
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(FEED_SIZE)
    )
    title = _("Comments on: %(title)s", title=isolate(protected_posts.display_title(post)))
    return _comments_feed(
        kind, [(c, post) for c in comments], title, post_url(post, _external=True), True
    )


@bp.get("/sitemap.xml")
def sitemap():
    """Published posts and pages (not protected ones), categories and tags with posts and authors'
    archives, each with its last change, for search engines; a bigger blog's is an index of sitemaps
    (blog.seo.sitemap); anyone may call."""
    found = seo.sitemap()
    return _sitemap_response(found.entries, index=found.is_index)


@bp.get("/sitemap-site.xml", endpoint="sitemap_site")
def sitemap_site():
    """The home page, pages, terms and authors of a blog whose sitemap is an index; anyone may call."""
    return _sitemap_response(seo.site_entries())


@bp.get("/sitemap-posts-<int:year>-<int(fixed_digits=2):month>.xml", endpoint="sitemap_month")
def sitemap_month(year: int, month: int):
    """One month's posts, for a blog whose sitemap is an index; anyone may call."""
    entries = seo.month_sitemap(year, month)
    if entries is None:
        abort(404)
    return _sitemap_response(entries, home=False)


def _sitemap_response(entries: list[tuple[str, datetime]], index: bool = False, home: bool = True) -> Response:
    newest = max((modified for _loc, modified in entries), default=None)
    body = render_template("blog/sitemap.xml", index=index, home=home and not index, newest=newest and _w3c(newest),
                           entries=[(loc, _w3c(modified)) for loc, modified in entries])
    return Response(body, mimetype="application/xml")


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/robots.txt")
def robots():
    """Crawl rules: pages yes, accounts, admin and mail links no; points to the sitemap."""
    body = render_template("blog/robots.txt")
    return Response(body, mimetype="text/plain")
