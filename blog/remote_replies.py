"""Replies, likes and reposts from other sites (Webmention, the fediverse): the one place they
become comments and reactions, through the discussion rules like any comment.

The protocols (webmention/, activitypub/) verify and parse what arrived and call these; nothing
here fetches or reads a request.
"""

import re
from dataclasses import dataclass

import nh3
import sqlalchemy as sa

from blog.content_version import bump_content_version
from blog.discussion import CommentInput, Submitted, submit_comment
from blog.models import REACTION_KINDS, Comment, Post, RemoteReaction
from blog.moderation import set_comment_status
from blog.rendering import COMMENT_ATTRIBUTES, COMMENT_TAGS
from core.clean_input import host_of
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

PROTOCOLS = ("webmention", "activitypub")
MAX_REPLY_CHARACTERS = 20_000  # longer remote texts are cut: a comment box allows no more either
_BLOCK_END = re.compile(r"</(?:p|div|blockquote|li|h[1-6])\s*>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class RemoteAuthor:
    """Who wrote a remote reply or reacted: as their page (h-card) or actor document says."""

    name: str
    url: str = ""  # their profile page
    photo: str = ""  # their avatar's address
    handle: str = ""  # "@ada@example.social" on the fediverse


def domain_blocked(url_or_host: str, settings: dict) -> bool:
    """Whether the host (or a domain it is under) is on the blocked list (federation_blocked_domains)."""
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().split(":")[0].rstrip(".")
    blocked = {line.strip().lower().lstrip("*.").rstrip(".") for line in
               str(settings["federation_blocked_domains"]).splitlines() if line.strip()}
    parts = host.split(".")
    return any(".".join(parts[i:]) in blocked for i in range(len(parts)))


def comment_text_from_html(html: str) -> str:
    """A remote reply's HTML as comment text: the comment box's few tags kept, everything else
    (scripts, styles, images, attributes) dropped; paragraphs become blank lines."""
    marked = _BLOCK_END.sub(lambda m: "\n" if m.group(0).lower().startswith("<br") else "\n\n", html)
    text = nh3.clean(marked, tags=COMMENT_TAGS - {"p", "br"}, attributes=COMMENT_ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel=None)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:MAX_REPLY_CHARACTERS]


def comment_from_source(source_url: str) -> Comment | None:
    """The comment a remote page or fediverse object became, if any (the newest, were there several)."""
    return db.session.scalars(sa.select(Comment).where(Comment.source_url == source_url)
                              .order_by(Comment.id.desc()).limit(1)).first()


def receive_reply(post: Post, *, protocol: str, source_url: str, author: RemoteAuthor, html: str,
                  settings: dict, parent: Comment | None = None, ip: str = "") -> Comment:
    """Store a remote reply as a comment judged by the discussion rules and spam defences, or update
    the one an earlier copy of it became (a re-sent Webmention, an Update); commits.

    Raises blog.discussion.CommentRefused when the rules refuse it (comments closed, a duplicate).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    body = comment_text_from_html(html)
    existing = comment_from_source(source_url)
    if existing is not None and existing.post_id == post.id:
        _update_reply(existing, body, author)
        return existing
    data = CommentInput(
        body=body, author_name=author.name.strip()[:245] or author.handle or host_of(source_url),
        author_url=author.url if len(author.url) <= 200 else "", parent_id=parent.id if parent else 0,
        ip=ip, user_agent=protocol, avatar_url=author.photo[:500] or None, comment_type=protocol,
        source_url=source_url[:500], author_handle=author.handle[:255] or None)
    submitted: Submitted = submit_comment(post, data, settings)
    return submitted.comment


def _update_reply(comment: Comment, body: str, author: RemoteAuthor) -> None:
    """Its source changed: take the new text and author details (the page cache hears of it)."""
    changed = body != comment.body
    if changed:
        comment.body = body
        comment.edited_at = utcnow()
    comment.author_name = author.name.strip()[:245] or comment.author_name
    comment.author_avatar_url = author.photo[:500] or comment.author_avatar_url
    if comment.status == "trash" and comment.status_reason == "removed at its source":
        set_comment_status(comment, "pending", None, "re-sent by its source", actor=comment.author_name)
    if comment.status == "approved":
        bump_content_version(db.session)
    db.session.commit()


def remove_source(source_url: str, actor: str) -> int:
    """Move to the trash every comment the source became, and drop its reactions; commits.
    How many comments and reactions went."""
    comments = list(db.session.scalars(sa.select(Comment).where(Comment.source_url == source_url,
                                                                Comment.status != "trash")))
    for comment in comments:
        comment.status_reason = "removed at its source"
        set_comment_status(comment, "trash", None, "removed at its source", actor=actor)
    reactions = remove_reactions(RemoteReaction.source_url == source_url)
    if comments:
        bump_content_version(db.session)
    db.session.commit()
    return len(comments) + reactions


def add_reaction(post: Post, *, kind: str, protocol: str, source_url: str, author: RemoteAuthor,
                 activity_id: str | None = None) -> bool:
    """Count a like or a repost of the post once per source; True when it is new. Commits."""
    if kind not in REACTION_KINDS:
        raise ValueError(f"unknown reaction {kind!r}")
    added = insert_or_ignore(RemoteReaction, post_id=post.id, kind=kind, protocol=protocol,
                             source_url=source_url[:500], activity_id=activity_id,
                             author_name=(author.name.strip() or author.handle)[:245],
                             author_url=author.url[:500], author_photo=author.photo[:500], created_at=utcnow())
    if added:
        db.session.execute(sa.update(Post).where(Post.id == post.id)
                           .values(reaction_count=Post.reaction_count + 1))
        bump_content_version(db.session)
    db.session.commit()
    return added


def remove_reactions(*where: sa.ColumnElement[bool]) -> int:
    """Delete the reactions that match (an Undo names its activity; a gone page its source) and
    count them off their posts, in the caller's transaction; how many went."""
    gone = db.session.execute(sa.delete(RemoteReaction).where(*where)
                              .returning(RemoteReaction.post_id)).scalars().all()
    for post_id in gone:
        db.session.execute(sa.update(Post).where(Post.id == post_id)
                           .values(reaction_count=sa.func.max(Post.reaction_count - 1, 0)
                                   if db.engine.dialect.name == "sqlite" else
                                   sa.func.greatest(Post.reaction_count - 1, 0)))
    if gone:
        bump_content_version(db.session)
    return len(gone)


def reactions_of(post: Post, limit: int = 60) -> dict[str, list[RemoteReaction]]:
    """The post's likes and reposts for its facepiles, newest first (no query when it has none)."""
    piles: dict[str, list[RemoteReaction]] = {kind: [] for kind in REACTION_KINDS}
    if not post.reaction_count:
        return piles
    rows = db.session.scalars(sa.select(RemoteReaction).where(RemoteReaction.post_id == post.id)
                              .order_by(RemoteReaction.id.desc()).limit(limit))
    for row in rows:
        piles[row.kind].append(row)
    return piles
