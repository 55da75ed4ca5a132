"""Small builders for rows the tests need; each commits so pages see them."""

from datetime import UTC, datetime, timedelta
from itertools import count

from blog.models import Comment, Post
from extensions import db

_serial = count(1)


def make_post(**fields) -> Post:
    n = next(_serial)
    values = {
        "title": f"Post number {n}",
        "slug": f"post-number-{n}",
        "body": f"Body of post {n}.",
        "status": "published",
        "published_at": datetime(2024, 3, 4, 9, 0, tzinfo=UTC) + timedelta(minutes=n),
    }
    post = Post(**(values | fields))
    db.session.add(post)
    db.session.commit()
    return post


def make_comment(post: Post, parent: Comment | None = None, **fields) -> Comment:
    n = next(_serial)
    values = {
        "post_id": post.id,
        "parent_id": parent.id if parent else None,
        "root_id": parent.root_id if parent else None,
        "depth": parent.depth + 1 if parent else 0,
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "body": f"Comment {n}",
        "status": "approved",
    }
    comment = Comment(**(values | fields))
    db.session.add(comment)
    db.session.flush()
    if comment.root_id is None:
        comment.root_id = comment.id
    if comment.status == "approved":
        post.comment_count += 1
        post.thread_count += 1 if comment.depth == 0 else 0
    db.session.commit()
    return comment
