"""Which post (and comment) an address on this site names: the one place the Webmention endpoint
reads the blog's URL map, as a visitor's request would be routed."""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from blog.models import Comment, Post
from blog.pages import page_at
from blog.permalinks import day_bounds
from blog.queries import find_published_post, visible, visible_post_with_slug
from core.clean_input import database_int
from extensions import db

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """A post a mention may name, and the comment its #comment-N fragment names (or None)."""

    post: Post
    comment: Comment | None


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1  # a port that is no number names no site
    return parts.scheme.lower(), (parts.hostname or "").rstrip("."), port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)


def on_this_site(url: str) -> bool:
    """Whether the URL's scheme, host and port are SITE_URL's."""
    return origin(url) == origin(current_app.config["SITE_URL"])


def post_at(url: str, hops: int = 2) -> Post | None:
    """The visible post or page an address of this site shows (following the blog's own
    redirects: a missing trailing slash, WordPress's /?p=ID and /<slug>/, /comments/<id>/)."""
    site = urlsplit(current_app.config["SITE_URL"])
    parts = urlsplit(url)
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    path = unquote(parts.path) or "/"
    if site.path.rstrip("/"):
        if not path.startswith(site.path.rstrip("/") + "/"):
            return None
        path = path[len(site.path.rstrip("/")):]
    try:
        endpoint, args = adapter.match(path, method="GET", query_args=parts.query)
    except RequestRedirect as moved:
        return post_at(moved.new_url, hops - 1) if hops and moved.new_url != url else None
    except HTTPException:
        return None
    return _post_for(endpoint, args, parts.query)


def _post_for(endpoint: str, args: dict, query: str) -> Post | None:
    """The post a matched route shows."""
    if endpoint == "blog.post":
        bounds = day_bounds(args["year"], args["month"], args["day"])
        return find_published_post(args["slug"], *bounds) if bounds else None
    if endpoint == "blog.page":
        path = "/".join(args[f"s{n}"] for n in range(len([k for k in args if k.startswith("s")])))
        found = page_at(path)
        if found is None and "/" not in path and "cpage" not in args:
            found = visible_post_with_slug(path)  # WordPress's /<post-slug>/
        return found
    if endpoint == "blog.index":
        return _legacy_id_post(query)
    if endpoint == "blog.comment_link":
        comment = _approved_comment(args["comment_id"])
        return comment and db.session.scalar(sa.select(Post).where(Post.id == comment.post_id, visible(Post)))
    return None


def _approved_comment(number: int | None, post_id: int | None = None) -> Comment | None:
    if number is None:
        return None
    where = [Comment.id == number, Comment.status == "approved"]
    return db.session.scalar(sa.select(Comment).where(*where, *([Comment.post_id == post_id] if post_id else [])))


def _legacy_id_post(query: str) -> Post | None:
    """WordPress's /?p=ID and /?page_id=ID (its ids kept by the import, else this blog's own)."""
    fields = parse_qs(query)
    for name in ("p", "page_id"):
        if name in fields:
            number = database_int(fields[name][0])
            if number is None:
                return None
            return db.session.scalar(
                sa.select(Post).where(visible(Post), sa.or_(Post.wp_id == number,
                                                            sa.and_(Post.id == number, Post.wp_id.is_(None))))
                .order_by(Post.wp_id.is_(None)).limit(1))
    return None


def target_of(url: str) -> Target | None:
    """The post (and comment, for a `#comment-N` fragment or a /comments/<id>/ link) a target URL
    names, or None."""
    post = post_at(url)
    if post is None:
        return None
    path, fragment = urlsplit(url).path, urlsplit(url).fragment
    if fragment.startswith("comment-"):
        number = database_int(fragment.removeprefix("comment-"))
    elif path.startswith("/comments/"):
        number = database_int(path.strip("/").removeprefix("comments/"))
    else:
        return Target(post, None)
    comment = _approved_comment(number, post.id)
    return Target(post, comment) if comment else None
