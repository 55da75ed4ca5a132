"""Subscriptions, the mail outbox and the single-use links that mails carry."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, new_link_secret, utcnow
from extensions import db


class Subscription(db.Model):
    """A reader following a post's comments, replies to one comment, or new posts."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.Index("ix_subscriptions_target", "post_id", "scope"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(100), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # "comments" (a post's), "replies" (to comment_id) or "posts" (the blog's).
    scope: Mapped[str] = mapped_column(sa.String(10))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    # "instant", "daily" or "weekly".
    delivery: Mapped[str] = mapped_column(sa.String(10), default="instant")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Signed into the subscription's links, so that a link names this row and no other.
    link_secret: Mapped[str] = mapped_column(sa.String(32), default=new_link_secret)


class OutboxMessage(db.Model):
    """A mail written in the transaction that caused it, sent later by the worker."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # "pending", "sent" or "failed" (kept after the last try).
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A mail queued by mailer.enqueue_later: its bodies are empty until the sender writes them
    # from this template and data (then both are cleared).
    template: Mapped[str | None] = mapped_column(sa.String(40))
    template_data: Mapped[dict | None] = mapped_column(sa.JSON)


class UsedToken(db.Model):
    """A single-use signed link that has been spent."""

    __tablename__ = "used_tokens"

    token_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
