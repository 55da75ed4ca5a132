"""WordPress's other URLs for a post, answered with a 301 to its permalink.

`/?p=ID` and `/?page_id=ID` (WordPress ids kept by the import, or this blog's own for posts written
here), `/<slug>/` (the "post name"
permalink structure, child pages included), and a dated permalink whose date is off
(WordPress dated it in its own time zone; see blog/wxr/importer.py) all reach the post.
"""

from datetime import date

import sqlalchemy as sa
from flask import abort, redirect, render_template, request

from blog import bp
from blog.models import Post
from blog.permalinks import blog_timezone, post_url
from clean_input import database_int
from dbtypes import utcnow
from extensions import db


def _visible() -> sa.Select:
    """Posts and pages a visitor may read."""
    return sa.select(Post).where(Post.status == "published", Post.published_at <= utcnow())


def _moved(post: Post | None):
    if post is None:
        abort(404)
    return redirect(post_url(post), code=301)


@bp.before_request
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
    return (_visible().where(sa.or_(Post.wp_id == number, sa.and_(Post.id == number, Post.wp_id.is_(None))))
            .order_by(Post.wp_id.is_(None)).limit(1))


@bp.get("/<slug>/")
def legacy_slug(slug: str):
    """A post or page at WordPress's /<slug>/ address: 301 to its permalink; anyone may call."""
    return _moved(db.session.scalar(_visible().where(Post.slug == slug)))


@bp.errorhandler(404)
def redate_permalink(error):
    """A permalink dated a day off (WordPress's time zone, not ours): 301 to the right date."""
    if request.endpoint == "blog.post":
        post = _within_a_day(**request.view_args)
        if post is not None:
            return redirect(post_url(post), code=301)
    return render_template("errors/error.html", error=error), 404


def _within_a_day(year: int, month: int, day: int, slug: str, **_page) -> Post | None:
    """The visible post with this slug when its local date is at most one day from the URL's.

    UTC offsets stay within a day, so only such a link can be an old WordPress permalink;
    a farther date stays a 404.
    """
    try:
        asked = date(year, month, day)
    except ValueError:
        return None
    post = db.session.scalar(_visible().where(Post.slug == slug))
    if post is None:
        return None
    actual = post.published_at.astimezone(blog_timezone()).date()
    return post if 0 < abs((actual - asked).days) <= 1 else None
