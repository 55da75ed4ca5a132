"""WordPress's "day and name" permalinks, dated in the blog's time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for

from blog.models import Post


def blog_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BLOG_TIMEZONE"])


def post_url(post: Post, **kwargs) -> str:
    """The permalink /<yyyy>/<mm>/<dd>/<slug>/ of a post."""
    local = post.published_at.astimezone(blog_timezone())
    return url_for(
        "blog.post", year=local.year, month=local.month, day=local.day, slug=post.slug, **kwargs
    )


def comment_mail_link(comment_id: int) -> str:
    """The absolute link mails give a comment: /comments/<id>/ answers with the comment page that
    shows it now, which changes as newer threads fill pages."""
    return url_for("blog.comment_link", comment_id=comment_id, _external=True)


def day_bounds(year: int, month: int, day: int) -> tuple[datetime, datetime] | None:
    """The UTC start and end of a local calendar day, or None when the date does not exist."""
    try:
        start = datetime(year, month, day, tzinfo=blog_timezone())
    except ValueError:
        return None
    return start, start + timedelta(days=1)
