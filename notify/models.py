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
    # The site's language when the reader subscribed: their mails stay in it (None: the site's).
    language: Mapped[str | None] = mapped_column(sa.String(20))


class OutboxMessage(db.Model):
    """A mail written in the transaction that caused it, sent later by the worker."""

    __tablename__ = "outbox"
    # ix_outbox_sent: the dashboard asks whether anything was sent lately (admin.mail_queries).
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),
                      sa.Index("ix_outbox_sent", "status", "sent_at"), NEVER_REUSE_IDS)

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
    # The recipient's language, in which the sender writes such a mail (None: the site's).
    language: Mapped[str | None] = mapped_column(sa.String(20))


class UsedToken(db.Model):
    """A single-use signed link that has been spent."""

    __tablename__ = "used_tokens"

    token_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailAddress(db.Model):
    """An address the blog mails, once it has bounced: how often, and why (notify.inbound.bounces).

    The sender stops mailing it after MAIL_BOUNCE_LIMIT bounces; an administrator can clear it.
    """

    __tablename__ = "mail_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    bounce_count: Mapped[int] = mapped_column(default=0)
    first_bounce_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_bounce_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The DSN's status code ("5.1.1") and the receiving server's diagnostic.
    last_status: Mapped[str] = mapped_column(sa.String(20), default="")
    last_diagnostic: Mapped[str] = mapped_column(sa.String(500), default="")


class InboundMail(db.Model):
    """A mail the inbound process received, and what became of it: the owner's record and the log
    that a redelivered message is recognised by."""

    __tablename__ = "inbound_mail"
    __table_args__ = (sa.Index("ix_inbound_mail_received", "received_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    envelope_from: Mapped[str] = mapped_column(sa.String(254), default="")
    from_addr: Mapped[str] = mapped_column(sa.String(254), default="")
    recipient: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    size: Mapped[int] = mapped_column(default=0)
    # "reply" (a reader's), "moderation" (an owner's), "bounce", or "unknown".
    kind: Mapped[str] = mapped_column(sa.String(12), default="unknown")
    # "comment", "moderated", "bounce", "dropped" or "refused"; detail says why.
    outcome: Mapped[str] = mapped_column(sa.String(12), default="dropped")
    detail: Mapped[str] = mapped_column(sa.String(255), default="")
    # The upstream server's Authentication-Results verdicts ("pass", "fail", ...; "" when absent).
    spf: Mapped[str] = mapped_column(sa.String(20), default="")
    dkim: Mapped[str] = mapped_column(sa.String(20), default="")
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    # A bounce's message (its envelope sender names it): each message counts once against its address.
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id", ondelete="SET NULL"))
