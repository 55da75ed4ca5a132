"""Posts, their terms, comments, likes, discussion settings and the moderation log."""

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from auth.models import User
from blog import listing, search_index
from blog.media.models import Media
from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, new_link_secret, utcnow
from extensions import db

POST_STATUSES = ("draft", "published", "private", "trash")
COMMENT_STATUSES = ("pending", "approved", "spam", "trash")

# published_at and listed copy the post's date and "a published post, not a page" (triggers in
# blog.listing keep them in step), so that a category's newest posts are one index range read
# however many posts the blog and the category hold.
post_terms = sa.Table(
    "post_terms",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("published_at", UTCDateTime, nullable=True),
    sa.Column("listed", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Index("ix_post_terms_listing", "term_id", "listed", "published_at", "post_id"),
)
sa.event.listen(post_terms, "after_create", listing.after_create)


def text_hash(text: str) -> int:
    """The first 8 bytes of the text's SHA-256, as a signed 64-bit number: an index key for equal texts."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "big", signed=True)


def _body_hash_default(context) -> int:
    # For bulk inserts (WXR import, bench seed) that give the body but not its hash.
    return text_hash(context.get_current_parameters()["body"])


TAXONOMIES = ("category", "tag")


class Term(db.Model):
    """A category (taxonomy "category", with parents) or a tag (taxonomy "tag")."""

    __tablename__ = "terms"
    __table_args__ = (sa.UniqueConstraint("taxonomy", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy: Mapped[str] = mapped_column(sa.String(20))
    slug: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("terms.id", ondelete="SET NULL"))
    # Published posts in the term (WordPress's count), recounted by blog.terms when posts change.
    post_count: Mapped[int] = mapped_column(default=0, server_default="0")


class Post(db.Model):
    """A post or a page; published ones with a future date are scheduled."""

    __tablename__ = "posts"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {POST_STATUSES}", name="status"),
        sa.Index("ix_posts_listing", "kind", "status", "published_at"),
        sa.Index("ix_posts_author_listing", "author_id", "kind", "status", "published_at"),
        # The home page's sticky posts: few, found without reading the others.
        sa.Index("ix_posts_sticky", "sticky", sqlite_where=sa.text("sticky"), postgresql_where=sa.text("sticky")),
        # Full-text search (blog.search_index). SQLite searches its FTS5 table instead: there the
        # column stays NULL and the index empty.
        sa.Index("ix_posts_search_vector", "search_vector", postgresql_using="gin",
                 sqlite_where=sa.text("search_vector IS NOT NULL")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="post")
    title: Mapped[str] = mapped_column(sa.String(500))
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_format: Mapped[str] = mapped_column(sa.String(10), default="markdown")
    excerpt: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # A page's parent page: its address is the parents' slugs and its own (/about/team/).
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    menu_order: Mapped[int] = mapped_column(default=0, server_default="0")  # a page's place among its siblings
    sticky: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # first on the home page
    comments_open: Mapped[bool] = mapped_column(default=True)
    # The image shown with the post (WordPress's _thumbnail_id). No foreign key: SQLite can add one
    # to posts only by rebuilding the table (and its triggers); blog.media.library.delete clears it.
    featured_media_id: Mapped[int | None] = mapped_column()
    # WordPress's post_password: when set, a published post shows a password form instead of its
    # body and comments until the reader gives it (blog.protected_posts).
    password: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # Approved comments (all, and top-level), kept in step by blog.discussion: pages need no COUNT.
    comment_count: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)  # approved top-level comments
    like_count: Mapped[int] = mapped_column(default=0)
    # Likes and reposts from other sites (Webmention, the fediverse): the post page reads its
    # RemoteReaction rows only when there are some.
    reaction_count: Mapped[int] = mapped_column(server_default="0")
    # Where the post came from in a WordPress import, for ?p=ID links and re-imports.
    wp_id: Mapped[int | None] = mapped_column(unique=True)
    guid: Mapped[str | None] = mapped_column(sa.String(255), index=True)  # WXR imports look it up
    # The words of the title and the body, set by a database trigger (blog.search_index); never
    # loaded with the post.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(sa.Text(), "sqlite"), deferred=True)

    author: Mapped[User | None] = relationship(lazy="joined")
    parent: Mapped["Post | None"] = relationship(remote_side=[id])  # a page's parent page
    # Loaded when asked for (selectinload where a list needs them): pages don't show them yet.
    terms: Mapped[list[Term]] = relationship(secondary=post_terms)
    # Loaded with every list of posts in one query (none when no post has one); the post page joins it.
    featured_media: Mapped[Media | None] = relationship(
        lazy="selectin", primaryjoin="foreign(Post.featured_media_id) == Media.id")


sa.event.listen(Post.__table__, "after_create", search_index.after_create)
sa.event.listen(Post.__table__, "before_drop", search_index.before_drop)


class MenuItem(db.Model):
    """An entry of the site's navigation menu: a page, a category, or a custom link; one level of
    children under a top-level entry."""

    __tablename__ = "menu_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(sa.String(20), default="primary")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("menu_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "page", "category", "tag", "custom"
    object_id: Mapped[int | None] = mapped_column()  # the page's or the term's id
    url: Mapped[str] = mapped_column(sa.String(500), default="")  # a custom link's address
    label: Mapped[str] = mapped_column(sa.String(200), default="")  # empty: the page's or term's name


class Comment(db.Model):
    """A reply to a post or to another comment; root_id names the thread's top comment."""

    __tablename__ = "comments"
    # Lists end their ORDER BY with id (ties in created_at), so every list index ends with it too:
    # the database then reads a page of rows in index order instead of sorting the whole post.
    __table_args__ = (
        sa.CheckConstraint(f"status IN {COMMENT_STATUSES}", name="status"),
        sa.UniqueConstraint("post_id", "wp_id"),
        # Top-level comments of a post in order (comment pages), a page's threads, a whole post.
        sa.Index("ix_comments_post_thread", "post_id", "status", "depth", "created_at", "id"),
        sa.Index("ix_comments_post_status_created", "post_id", "status", "created_at", "id"),
        sa.Index("ix_comments_root", "root_id", "status", "created_at", "id"),
        # Admin lists: one status newest first, and several ("All") by walking the dates back.
        sa.Index("ix_comments_status_created", "status", "created_at", "id"),
        sa.Index("ix_comments_created", "created_at", "id"),
        # Discussion rules: duplicate text on a post, previously approved author, flood control.
        sa.Index("ix_comments_post_body_hash", "post_id", "body_hash"),
        # Guests' comments (no user) stay out: counted in, they made SQLite's statistics say that
        # one user has thousands of comments, and its planner then walked the whole table instead.
        sa.Index("ix_comments_user_id", "user_id", sqlite_where=sa.text("user_id IS NOT NULL"),
                 postgresql_where=sa.text("user_id IS NOT NULL")),
        sa.Index("ix_comments_email_status", "author_email", "status"),
        # Flood control, by address and by email. Without the second, PostgreSQL's statistics (which
        # know no comment newer than their last ANALYZE) made it walk every comment of the interval.
        sa.Index("ix_comments_ip_created", "author_ip", "created_at"),
        sa.Index("ix_comments_email_created", "author_email", "created_at"),
        sa.Index("ix_comments_source_url", "source_url", sqlite_where=sa.text("source_url IS NOT NULL"),
                 postgresql_where=sa.text("source_url IS NOT NULL")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    root_id: Mapped[int | None] = mapped_column()
    depth: Mapped[int] = mapped_column(default=0)
    author_name: Mapped[str] = mapped_column(sa.String(245), default="")
    author_email: Mapped[str] = mapped_column(sa.String(100), default="")
    author_url: Mapped[str] = mapped_column(sa.String(200), default="")
    author_ip: Mapped[str] = mapped_column(sa.String(100), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The log-in provider the author used ("google", ...), shown as "via Google".
    provider: Mapped[str | None] = mapped_column(sa.String(40))
    author_avatar_url: Mapped[str | None] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)
    # text_hash(body), kept in step by _hash_body: finds "said that already" without reading every body.
    # Every insert fills it; nullable only so that migration 0003 could add it to SQLite in place.
    body_hash: Mapped[int | None] = mapped_column(sa.BigInteger, default=_body_hash_default)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    # Why the discussion rules held, trashed or spammed it ("3 links; limit 2").
    status_reason: Mapped[str] = mapped_column(sa.String(255), default="")
    comment_type: Mapped[str] = mapped_column(sa.String(20), default="comment")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    like_count: Mapped[int] = mapped_column(default=0)
    wp_id: Mapped[int | None] = mapped_column()
    # SHA-256 of the secret handed to the browser that wrote the comment (blog.commenters): that
    # browser alone sees it while it is held. None for imported comments and those written before.
    author_key_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Signed into the mailed moderation links, so that a link names this comment and no other.
    link_secret: Mapped[str] = mapped_column(sa.String(32), default=new_link_secret)
    # When its text last changed after it was written (shown as "Edited"); its earlier texts are
    # its CommentRevision rows.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its author deleted it while it had replies: the thread keeps its place, without its
    # text or author ("This comment was deleted by its author").
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The learning filter's score when it arrived (0: surely ham, 1: surely spam); None when unscored.
    spam_score: Mapped[float | None] = mapped_column(sa.Float)
    # What the filter learnt from it, "spam" or "ham" (None: nothing), so that a later click unlearns it.
    trained_as: Mapped[str | None] = mapped_column(sa.String(4))
    # Written by a shadow-banned commenter: filed as spam, yet shown to its author as if published.
    shadow: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A reply from another site (comment_type "webmention" or "activitypub"): the page or the
    # fediverse object it came from, by which re-sent mentions, Update and Delete find it.
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    # The remote author's fediverse handle ("@ada@example.social"), shown with their name.
    author_handle: Mapped[str | None] = mapped_column(sa.String(255))

    post: Mapped[Post] = relationship(lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @validates("body")
    def _hash_body(self, _key: str, body: str) -> str:
        if body is not None:
            self.body_hash = text_hash(body)
        return body


class CommentRevision(db.Model):
    """A text a comment had before an edit replaced it: who replaced it, and when."""

    __tablename__ = "comment_revisions"
    __table_args__ = (sa.Index("ix_comment_revisions_comment", "comment_id", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    # Who made the edit that replaced this text: the comment's author, or a member of staff.
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    editor_name: Mapped[str] = mapped_column(sa.String(250), default="")
    editor_role: Mapped[str] = mapped_column(sa.String(10), default="author")  # "author" or "staff"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was replaced


class CommentDraft(db.Model):
    """A comment being written, held while its author logs in with a provider (never in a URL)."""

    __tablename__ = "comment_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random key the browser's session holds, and of the OAuth state of the log-in.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    state_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # The comment form's follow-by-mail choices, as the form sent them.
    choices: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Setting(db.Model):
    """One site setting (the discussion rules and the like), stored as JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[object] = mapped_column(sa.JSON)


class ModerationLog(db.Model):
    """Who moved which comment from which status to which, and when."""

    __tablename__ = "moderation_log"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept as a plain number so that the entry survives the comment's deletion; None for a step
    # about a person rather than a comment (a privacy request's export or erasure).
    comment_id: Mapped[int | None] = mapped_column(index=True)
    moderator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    moderator_name: Mapped[str] = mapped_column(sa.String(250))
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str | None] = mapped_column(sa.String(10))
    to_status: Mapped[str | None] = mapped_column(sa.String(10))
    # What else the step needs said, never the personal data it touched ("privacy request 12: 40
    # comments anonymised").
    detail: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PostLike(db.Model):
    __tablename__ = "post_likes"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentLike(db.Model):
    __tablename__ = "comment_likes"

    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


REACTION_KINDS = ("like", "repost")


class RemoteReaction(db.Model):
    """A like or a repost of a post from another site: a Webmention's source page or a fediverse
    actor's Like or Announce, shown in the post's facepiles."""

    __tablename__ = "remote_reactions"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {REACTION_KINDS}", name="kind"),
        # One per post, kind and source: a Webmention's source page, or a fediverse actor.
        sa.UniqueConstraint("post_id", "kind", "source_url"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    protocol: Mapped[str] = mapped_column(sa.String(12))  # "webmention" or "activitypub"
    source_url: Mapped[str] = mapped_column(sa.String(500))
    # The fediverse activity's id (Undo names it), when it came from there.
    activity_id: Mapped[str | None] = mapped_column(sa.String(500), index=True)
    author_name: Mapped[str] = mapped_column(sa.String(245), default="")
    author_url: Mapped[str] = mapped_column(sa.String(500), default="")
    author_photo: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteState(db.Model):
    """One row whose version changes with anything a cached public page shows."""

    __tablename__ = "site_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_version: Mapped[int] = mapped_column(default=1)
    # Likes count apart: cached pages pick up their counts at most every few seconds (page_cache.hooks).
    likes_version: Mapped[int] = mapped_column(default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The row exists from the start (the migration inserts it too), so writers only ever UPDATE it.
sa.event.listen(SiteState.__table__, "after_create", sa.DDL(
    "INSERT INTO site_state (id, content_version, changed_at) VALUES (1, 1, CURRENT_TIMESTAMP)"))
