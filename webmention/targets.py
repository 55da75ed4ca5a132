"""Which post (and comment) a Webmention's target names, from the route it has on this site
(blog.permalinks.route_of)."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.pages import page_at
from blog.permalinks import post_at_permalink, route_of
from blog.queries import visible, visible_post_with_slug
from core.clean_input import database_int
from extensions import db


@dataclass(frozen=True)
class Target:
    """A post a mention may name, and the comment its #comment-N fragment names (or None)."""

    post: Post
    comment: Comment | None


def post_at(url: str) -> Post | None:
    """The visible post or page an address of this site shows (following the blog's own
    redirects: a missing trailing slash, WordPress's /?p=ID and /<slug>/, /comments/<id>/)."""
    route = route_of(url)
    return _post_for(*route) if route else None


def _post_for(endpoint: str, args: dict, query: str) -> Post | None:
    """The post a matched route shows."""
    if endpoint == "blog.post":
        return post_at_permalink(args["year"], args["month"], args["day"], args["slug"])
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
