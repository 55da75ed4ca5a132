"""Read-side queries the blog's pages run, each a fixed number of SQL statements."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from blog.models import Post
from blog.settings import StoredSettingsJSON, remember_stored_settings
from core.dbtypes import utcnow
from extensions import db


def visible(post=Post, now: datetime | sa.BindParameter | None = None):
    """Whether a visitor may see a post or page: published and dated now (or `now`) or earlier.

    The one definition of that rule, in both worlds: given the Post class it is a SQL condition,
    given a post it is the answer for that post. A password-protected post is visible (its title
    and password form); protected_posts decides what of it a reader sees.
    """
    moment = utcnow() if now is None else now
    return (post.status == "published") & (post.published_at <= moment)


def published_posts_query(now: datetime | sa.BindParameter | None = None) -> sa.Select:
    """Posts a visitor may read: published, dated now (or `now`) or earlier, newest first."""
    return (
        sa.select(Post)
        .where(Post.kind == "post", visible(Post, now))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


# Built once: each comment submission looks its post up, and building the statement costs more than running it.
# The author is loaded only if asked for: a form sent back refused shows it, a redirect does not.
# The settings come along: the discussion rules need them (one round trip fewer).
# Pages take comments too: the kind is not asked.
_PUBLISHED_POST_BY_ID = (sa.select(Post).where(visible(Post, sa.bindparam("now")), Post.id == sa.bindparam("post_id"))
                         .add_columns(StoredSettingsJSON().label("settings"))
                         .options(lazyload(Post.author), joinedload(Post.featured_media)))


def find_published_post_by_id(post_id: int) -> Post | None:
    """The published post or page with this id, if a visitor may read it."""
    return _post_and_settings(db.session.execute(_PUBLISHED_POST_BY_ID, {"post_id": post_id, "now": utcnow()}))


# The page that shows the post needs the settings too: they come along in the same statement.
_PUBLISHED_POST_BY_DAY_AND_SLUG = sa.select(Post, StoredSettingsJSON().label("settings")).where(
    Post.slug == sa.bindparam("slug"),
    visible(Post, sa.bindparam("now")),
    Post.published_at >= sa.bindparam("day_start"),
    Post.published_at < sa.bindparam("day_end"),
).options(joinedload(Post.featured_media))  # in the same statement: the page shows it


def find_published_post(slug: str, day_start: datetime, day_end: datetime) -> Post | None:
    """The published post with this slug whose permalink date falls in [day_start, day_end)."""
    return _post_and_settings(db.session.execute(_PUBLISHED_POST_BY_DAY_AND_SLUG, {
        "slug": slug, "now": utcnow(), "day_start": day_start, "day_end": day_end}))


def visible_post_with_slug(slug: str) -> Post | None:
    """The post or page with this slug, if a visitor may read it, whatever its date."""
    return db.session.scalar(sa.select(Post).where(Post.slug == slug, visible(Post)))


def _post_and_settings(result: sa.Result) -> Post | None:
    """The post of a (Post, settings) row, keeping the settings for the rest of the request."""
    found = result.first()
    if found is None:
        return None
    remember_stored_settings(found.settings)
    return found.Post
