"""What the blog publishes, as ActivityStreams 2.0 objects: a post as an Article, the owner's reply
as a Note, and the activities that carry them."""

from datetime import datetime
from html import escape

import sqlalchemy as sa
from flask import url_for

from activitypub.keys import actor_url
from activitypub.models import RemoteActor
from auth.models import User
from auth.roles import may_moderate_comments_on
from blog import protected_posts
from blog.excerpts import excerpt_text
from blog.media.responsive import absolute_media_urls
from blog.models import Comment, Post
from blog.permalinks import post_url
from blog.queries import visible
from blog.rendering import render_comment, render_post_body
from extensions import db

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def is_federated(post: Post | None) -> bool:
    """Whether the post is one the fediverse may see: a published, dated, public post (no password)."""
    return post is not None and post.kind == "post" and bool(visible(post)) and not post.password


def is_federated_comment(comment: Comment | None) -> bool:
    """Whether the comment is the owner's (staff) approved reply on a federated post."""
    if comment is None or comment.status != "approved" or comment.user_id is None:
        return False
    post = db.session.get(Post, comment.post_id)
    user = db.session.get(User, comment.user_id)
    return is_federated(post) and user is not None and may_moderate_comments_on(user, post)


def post_object_id(post_id: int) -> str:
    return url_for("activitypub.post_object", post_id=post_id, _external=True)


def comment_object_id(comment_id: int) -> str:
    return url_for("activitypub.comment_object", comment_id=comment_id, _external=True)


def activity_id(activity_row_id: int) -> str:
    return url_for("activitypub.activity_object", activity_id=activity_row_id, _external=True)


def followers_url() -> str:
    return url_for("activitypub.followers", _external=True)


def iso(moment: datetime) -> str:
    """An AS2 timestamp: UTC, whole seconds, with Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def article(post: Post) -> dict:
    """The post as an AS2 Article (its permalink, title, excerpt and sanitised HTML), public."""
    item = {
        "@context": AS_CONTEXT, "id": post_object_id(post.id), "type": "Article",
        "attributedTo": actor_url(), "url": post_url(post, _external=True),
        "name": protected_posts.display_title(post), "summary": excerpt_text(post),
        "content": absolute_media_urls(render_post_body(post.body, post.body_format)), "mediaType": "text/html",
        "published": iso(post.published_at), "to": [PUBLIC], "cc": [followers_url()],
    }
    if post.updated_at > post.published_at:
        item["updated"] = iso(post.updated_at)
    return item


def note(comment: Comment) -> dict:
    """One of our comments (the owner's reply) as a Note, addressed to and mentioning the remote
    author when it answers a reply from the fediverse."""
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    remote = _remote_author_of(parent)
    content = render_comment(comment.body)
    item = {
        "@context": AS_CONTEXT, "id": comment_object_id(comment.id), "type": "Note",
        "attributedTo": actor_url(), "inReplyTo": _in_reply_to(comment, parent),
        "url": post_url(db.session.get(Post, comment.post_id), _external=True, _anchor=f"comment-{comment.id}"),
        "published": iso(comment.created_at), "to": [PUBLIC], "cc": [followers_url()], "tag": [],
    }
    if comment.edited_at:
        item["updated"] = iso(comment.edited_at)
    if remote is not None:
        item["cc"].append(remote.uri)
        item["tag"].append({"type": "Mention", "href": remote.uri, "name": remote.handle})
        if remote.handle and remote.handle not in comment.body:
            content = _mention_html(remote) + " " + content
    item["content"] = content
    return item


def activity(type: str, obj: dict | str, to: list[str], cc: list[str]) -> dict:
    """An activity of the blog actor wrapping `obj`; its id is left to the caller, who stores it
    as an Activity row and serves it at activity_id(row.id)."""
    return {"@context": AS_CONTEXT, "type": type, "actor": actor_url(), "object": obj, "to": to, "cc": cc}


def _in_reply_to(comment: Comment, parent: Comment | None) -> str:
    """A remote parent's own id, our federated parent's Note, or else the post's Article."""
    if parent is not None and parent.comment_type == "activitypub" and parent.source_url:
        return parent.source_url
    if parent is not None and is_federated_comment(parent):
        return comment_object_id(parent.id)
    return post_object_id(comment.post_id)


def _remote_author_of(parent: Comment | None) -> RemoteActor | None:
    """The fediverse actor who wrote the parent comment, when it came from there."""
    if parent is None or parent.comment_type != "activitypub":
        return None
    if parent.author_handle:
        by_handle = db.session.scalars(sa.select(RemoteActor)
                                       .where(RemoteActor.handle == parent.author_handle).limit(1)).first()
        if by_handle is not None:
            return by_handle
    if not parent.author_url:
        return None
    return db.session.scalars(sa.select(RemoteActor).where(
        sa.or_(RemoteActor.profile_url == parent.author_url, RemoteActor.uri == parent.author_url)).limit(1)).first()


def _mention_html(actor: RemoteActor) -> str:
    """The mention Mastodon writes: a link to the profile, its text the short handle."""
    username = actor.handle.split("@")[1] if actor.handle.count("@") == 2 else actor.name
    return (f'<span class="h-card"><a href="{escape(actor.profile_url or actor.uri)}" class="u-url mention">'
            f"@<span>{escape(username)}</span></a></span>")
