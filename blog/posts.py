"""Writing posts: unique slugs, saving, scheduling and deleting (with their comments)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, Post
from blog.rendering import render_post_body
from dbtypes import utcnow
from extensions import db

SLUG_MAX = 200


@dataclass(frozen=True)
class PostDraft:
    title: str
    slug: str
    body: str
    excerpt: str
    published_at: datetime
    status: str
    comments_open: bool


def unique_slug(wanted: str, title: str, post_id: int | None = None) -> str:
    """A slug no other post has: the one asked for (or made from the title), suffixed -2, -3..."""
    from slugify import slugify  # here: its transliteration tables (~4 MB) serve only the post editor

    base = slugify(wanted or title, max_length=SLUG_MAX - 6) or "post"
    taken = set(db.session.scalars(sa.select(Post.slug).where(
        Post.slug.like(f"{base}%"), Post.id != (post_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_post(post: Post | None, draft: PostDraft, author: User) -> Post:
    """Create a post (post=None) or update one from the editor, and commit."""
    slug = unique_slug(draft.slug, draft.title, post.id if post else None)
    if post is None:
        post = Post(kind="post", author_id=author.id, body_format="markdown")
        db.session.add(post)
    post.title = draft.title
    post.slug = slug
    post.body = draft.body
    post.excerpt = draft.excerpt
    post.published_at = draft.published_at
    post.status = draft.status
    post.comments_open = draft.comments_open
    db.session.commit()
    return post


def preview_html(body: str) -> str:
    """The sanitized HTML the post page would show for this Markdown."""
    return render_post_body(body, "markdown")


def is_scheduled(post: Post) -> bool:
    return post.status == "published" and post.published_at > utcnow()


def delete_post(post: Post) -> int:
    """Delete a post and all its comments and commit; how many comments went with it."""
    removed = db.session.execute(sa.delete(Comment).where(Comment.post_id == post.id)).rowcount
    db.session.delete(post)
    db.session.commit()
    return removed
