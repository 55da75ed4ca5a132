"""Rows the browser tests start from, written through the app's models in a short app context."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_comment

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def demo_post(app) -> SimpleNamespace:
    """The seed post `load-demo` adds: its id, title and permalink path."""
    with app.test_request_context():
        post = db.session.scalar(sa.select(Post).where(Post.slug == "what-do-you-do-when-you-hate-to-network"))
        return SimpleNamespace(id=post.id, title=post.title, path=post_url(post))


def add_comment(app, post_id: int, parent_id: int | None = None, **fields) -> int:
    """One comment (approved unless told otherwise); returns its id."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        parent = db.session.get(Comment, parent_id) if parent_id else None
        return make_comment(post, parent, **fields).id


def add_discussion(app, post_id: int, count: int) -> list[int]:
    """`count` approved comments by different readers, every third one a reply, a minute apart."""
    ids: list[int] = []
    for n in range(count):
        parent = ids[-1] if n % 3 == 2 else None
        ids.append(
            add_comment(
                app,
                post_id,
                parent,
                author_name=f"Reader {n + 1}",
                author_email=f"reader{n + 1}@example.com",
                body=f"Comment number {n + 1}: networking works best when it starts by listening.",
                created_at=T0 + timedelta(minutes=n),
            )
        )
    return ids


def comment_status(app, comment_id: int) -> str:
    with app.app_context():
        return db.session.get(Comment, comment_id).status
