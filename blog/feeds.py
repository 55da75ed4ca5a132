"""RSS 2.0 and Atom feeds (posts, all comments, one post's comments), sitemap.xml and robots.txt.

The feeds are Jinja templates (templates/blog/feed_rss.xml, feed_atom.xml), autoescaped as XML:
a feed library would bring lxml (~6 MB in every worker that serves a feed) for a few elements.
"""

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import nh3
import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request, url_for

from blog import bp, queries
from blog.models import Comment, Post
from blog.permalinks import day_bounds, post_url
from blog.rendering import render_comment, render_post_body
from dbtypes import utcnow
from extensions import db

FEED_SIZE = 10  # WordPress's "Syndication feeds show the most recent" default
EXCERPT_WORDS = 55
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
DATE_FORMATS = {"rss": format_datetime, "atom": datetime.isoformat}  # RFC 822 and RFC 3339
# Characters XML 1.0 cannot hold even escaped (control characters, lone surrogates): a comment may
# carry them, and one would make the whole feed unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class FeedEntry:
    guid: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str | None
    summary: str  # HTML, sent escaped as the formats want
    content: str | None = None  # HTML
    comments: str | None = None  # where its discussion is

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, str):
                setattr(self, name, xml_text(value))


def xml_text(text: str) -> str:
    return NOT_XML.sub("", str(text))  # a plain str: a Markup value would skip the template's escaping


@bp.app_template_global()
def post_feed_url(post: Post, kind: str = "rss") -> str:
    """<post permalink>feed/ (or feed/atom/): the post's comments feed."""
    return post_url(post, _external=True) + ("feed/" if kind == "rss" else "feed/atom/")


def post_guid(post: Post) -> str:
    """WordPress's stable id for a post: the imported guid, else <home>?p=<id>."""
    return post.guid or url_for("blog.index", p=post.id, _external=True)


def comment_guid(post: Post, comment: Comment) -> str:
    return f"{post_guid(post)}#comment-{comment.id}"


def _excerpt(post: Post) -> str:
    if post.excerpt:
        return post.excerpt
    text = html.unescape(nh3.clean(render_post_body(post.body, post.body_format), tags=set()))
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" […]" if len(words) > EXCERPT_WORDS else "")


def _respond(kind: str, title: str, page_url: str, entries: list[FeedEntry]) -> Response:
    """The feed document of `kind` (its self link is the requested URL), answering 304 when unchanged."""
    newest = max((entry.updated for entry in entries), default=None) or utcnow()
    body = render_template(
        f"blog/feed_{kind}.xml", title=xml_text(title), page_url=page_url, self_url=request.base_url,
        description=xml_text(current_app.config["BLOG_TAGLINE"] or title), updated=newest, entries=entries,
        stamp=DATE_FORMATS[kind],
    )
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
    posts = db.session.scalars(queries.published_posts_query().limit(FEED_SIZE))
    entries = [_post_entry(post) for post in posts]
    return _respond(kind, current_app.config["BLOG_TITLE"], url_for("blog.index", _external=True), entries)


def _post_entry(post: Post) -> FeedEntry:
    published, updated = _post_dates(post)
    return FeedEntry(
        guid=post_guid(post),
        title=post.title,
        link=post_url(post, _external=True),
        published=published,
        updated=updated,
        author=post.author.display_name if post.author else None,
        summary=html.escape(_excerpt(post), quote=False),
        content=render_post_body(post.body, post.body_format),
        comments=post_url(post, _external=True, _anchor="comments") if post.comment_count else None,
    )


def _comments_feed(
    kind: str, comments: list[tuple[Comment, Post]], title: str, page_url: str, one_post: bool
) -> Response:
    entries = []
    for comment, post in comments:
        author = comment.author_name or "Anonymous"
        entries.append(FeedEntry(
            guid=comment_guid(post, comment),
            title=f"By: {author}" if one_post else f"Comment on {post.title} by {author}",
            link=post_url(post, _external=True, _anchor=f"comment-{comment.id}"),
            published=comment.created_at,
            updated=comment.created_at,
            author=author,
            # RSS readers render a description as HTML: send the sanitized markup the page shows.
            summary=render_comment(comment.body),
        ))
    return _respond(kind, title, page_url, entries)


@bp.get("/comments/feed/", defaults={"kind": "rss"}, endpoint="comments_feed")
@bp.get("/comments/feed/atom/", defaults={"kind": "atom"}, endpoint="comments_feed_atom")
def all_comments_feed(kind: str):
    """The latest approved comments on published posts; anyone may call."""
    visible = queries.published_posts_query().order_by(None).subquery()
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
    title = f"Comments for {current_app.config['BLOG_TITLE']}"
    return _comments_feed(kind, rows, title, url_for("blog.index", _external=True), False)


POST_PATH = "/<int:year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>/<slug>/"


@bp.get(POST_PATH + "feed/", defaults={"kind": "rss"}, endpoint="post_comments_feed")
@bp.get(POST_PATH + "feed/atom/", defaults={"kind": "atom"}, endpoint="post_comments_feed_atom")
def post_comments_feed(year: int, month: int, day: int, slug: str, kind: str):
    """One published post's approved comments, newest first; anyone may call."""
    bounds = day_bounds(year, month, day)
    post = bounds and queries.find_published_post(slug, *bounds)
    if not post:
        abort(404)
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.post_id == post.id, Comment.status == "approved")
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(FEED_SIZE)
    )
    title = f"Comments on: {post.title}"
    return _comments_feed(
        kind, [(c, post) for c in comments], title, post_url(post, _external=True), True
    )


@bp.get("/sitemap.xml")
def sitemap():
    """Every published post for search engines; anyone may call."""
    posts = db.session.scalars(queries.published_posts_query()).all()
    entries = [(post_url(p, _external=True), _post_dates(p)[1]) for p in posts]
    newest = max((modified for _, modified in entries), default=None)
    body = render_template(
        "blog/sitemap.xml",
        newest=newest and _w3c(newest),
        entries=[(loc, _w3c(modified)) for loc, modified in entries],
    )
    return Response(body, mimetype="application/xml")


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/robots.txt")
def robots():
    """Crawl rules: pages yes, accounts, admin and mail links no; points to the sitemap."""
    body = render_template("blog/robots.txt")
    return Response(body, mimetype="text/plain")
