"""Read-side queries the blog's pages run, each a fixed number of SQL statements."""

from datetime import datetime

import sqlalchemy as sa

from blog.models import Post
from dbtypes import utcnow
from extensions import db


def published_posts_query() -> sa.Select:
    """Posts a visitor may read: published, dated now or earlier, newest first."""
    return (
        sa.select(Post)
        .where(Post.kind == "post", Post.status == "published", Post.published_at <= utcnow())
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def find_published_post(slug: str, day_start: datetime, day_end: datetime) -> Post | None:
    """The published post with this slug whose permalink date falls in [day_start, day_end)."""
    return db.session.scalar(
        sa.select(Post).where(
            Post.slug == slug,
            Post.status == "published",
            Post.published_at <= utcnow(),
            Post.published_at >= day_start,
            Post.published_at < day_end,
        )
    )
