"""Webmentions received (a page elsewhere links one of our posts) and sent (a post links a page)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from extensions import db

DIRECTIONS = ("received", "sent")
# received: queued -> accepted (a comment or a reaction), rejected (no link, refused, unreadable),
# deleted (the source went away); sent: queued -> sent, or failed after the last retry, or
# no_endpoint (the page takes no mentions).
STATUSES = ("queued", "accepted", "rejected", "deleted", "sent", "failed", "no_endpoint")


class Webmention(db.Model):
    """One (source, target) pair in one direction, with what became of it."""

    __tablename__ = "webmentions"
    __table_args__ = (
        sa.CheckConstraint(f"direction IN {DIRECTIONS}", name="direction"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="status"),
        sa.UniqueConstraint("direction", "source", "target"),
        # The worker's queue: due rows, oldest first.
        sa.Index("ix_webmentions_due", "status", "next_attempt_at"),
        sa.Index("ix_webmentions_post", "post_id", "direction"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(sa.String(10))
    source: Mapped[str] = mapped_column(sa.String(500))
    target: Mapped[str] = mapped_column(sa.String(500))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    # What a received mention turned out to be: "reply", "like", "repost" or "mention".
    kind: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")
    # The comment a received reply became (a plain number: the comment may be deleted).
    comment_id: Mapped[int | None] = mapped_column()
    # A sent mention's endpoint, once discovered.
    endpoint: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # The address a received mention came from (rate limits and the moderation screen).
    sender_ip: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
