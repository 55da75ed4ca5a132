"""WordPress's other URLs for a post, answered with a 301 to its permalink.

`/?p=ID` and `/?page_id=ID` (WordPress ids kept by the import, or this blog's own for posts written
here) reach the post. WordPress's `/<slug>/` for a post is blog.pages' to answer: pages live there.
"""

import sqlalchemy as sa
from flask import abort, redirect, request

from blog.models import Post
from blog.permalinks import post_url
from blog.queries import visible
from core.clean_input import database_int
from extensions import db
from wordpress import bp


def _moved(post: Post | None):
    if post is None:
        abort(404)
    return redirect(post_url(post), code=301)


@bp.before_app_request
def redirect_wordpress_ids():
    """Send `/?p=ID` and `/?page_id=ID` on to the post's permalink; anyone may call."""
    if request.endpoint != "blog.index":
        return None
    for name in ("p", "page_id"):
        if name in request.args:
            wp_id = database_int(request.args[name])
            if wp_id is None:
                abort(404)
            return _moved(db.session.scalar(_by_legacy_id(wp_id)))
    return None


def _by_legacy_id(number: int) -> sa.Select:
    """The post WordPress knew by this id; else the one written here with this id, which its feed
    and export GUIDs name (`SITE_URL/?p=ID`)."""
    return (sa.select(Post).where(visible(Post), sa.or_(Post.wp_id == number,
                                                        sa.and_(Post.id == number, Post.wp_id.is_(None))))
            .order_by(Post.wp_id.is_(None)).limit(1))
