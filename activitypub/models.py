"""The blog as a fediverse actor: its keys, the remote actors it knows, its followers, the
activities it publishes and their deliveries, and the activities its inbox received."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from extensions import db


class ActorKey(db.Model):
    """The key pair one of our actors signs with (the blog's is named "blog")."""

    __tablename__ = "ap_actor_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(sa.String(100), unique=True)
    private_key_pem: Mapped[str] = mapped_column(sa.Text)
    public_key_pem: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemoteActor(db.Model):
    """An actor on another server, as its actor document last said: where to deliver, and its key."""

    __tablename__ = "ap_remote_actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(sa.String(500), unique=True)
    key_id: Mapped[str] = mapped_column(sa.String(500), index=True)
    public_key_pem: Mapped[str] = mapped_column(sa.Text)
    inbox: Mapped[str] = mapped_column(sa.String(500))
    shared_inbox: Mapped[str | None] = mapped_column(sa.String(500))
    handle: Mapped[str] = mapped_column(sa.String(255), default="")  # "@ada@example.social"
    name: Mapped[str] = mapped_column(sa.String(245), default="")
    profile_url: Mapped[str] = mapped_column(sa.String(500), default="")
    avatar_url: Mapped[str] = mapped_column(sa.String(500), default="")
    domain: Mapped[str] = mapped_column(sa.String(255), index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follower(db.Model):
    """A remote actor following the blog."""

    __tablename__ = "ap_followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_actor_id: Mapped[int] = mapped_column(sa.ForeignKey("ap_remote_actors.id", ondelete="CASCADE"),
                                                 unique=True)
    follow_activity_id: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    remote_actor: Mapped[RemoteActor] = relationship(lazy="joined")


class Activity(db.Model):
    """An activity the blog published (Create, Update, Delete of an Article or a Note; Accept of a
    Follow), served at its id and, when public, listed in the outbox."""

    __tablename__ = "ap_activities"
    __table_args__ = (sa.Index("ix_ap_activities_outbox", "public", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    comment_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON)
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


DELIVERY_STATUSES = ("queued", "delivered", "failed")


class Delivery(db.Model):
    """One activity to one inbox (a shared inbox stands for all its server's followers), retried
    with backoff until it is delivered or the last attempt failed."""

    __tablename__ = "ap_deliveries"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status"),
        sa.UniqueConstraint("activity_id", "inbox"),
        sa.Index("ix_ap_deliveries_due", "status", "next_attempt_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("ap_activities.id", ondelete="CASCADE"))
    inbox: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    last_status: Mapped[int | None] = mapped_column()  # the inbox's HTTP status
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InboxHost(db.Model):
    """What a remote server's inbox accepted: which signature scheme ("rfc9421" or "cavage") to use first."""

    __tablename__ = "ap_inbox_hosts"

    host: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    signature_scheme: Mapped[str] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


INBOUND_STATUSES = ("queued", "done", "ignored", "refused", "failed")


class InboundActivity(db.Model):
    """An activity our inbox accepted (its signature verified), waiting for or done by the worker.

    signature_hash makes a replayed request (the same signature again) a conflict at the door.
    """

    __tablename__ = "ap_inbound"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {INBOUND_STATUSES}", name="status"),
        sa.Index("ix_ap_inbound_due", "status", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    activity_uri: Mapped[str] = mapped_column(sa.String(500), default="", index=True)
    actor_uri: Mapped[str] = mapped_column(sa.String(500))
    type: Mapped[str] = mapped_column(sa.String(30))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    result: Mapped[str] = mapped_column(sa.String(255), default="")  # what the worker did, or why not
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
