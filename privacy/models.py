"""Readers' requests for their personal data: an export, or an erasure."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, new_link_secret, utcnow
from extensions import db

REQUEST_KINDS = ("export", "erase")
REQUEST_STATUSES = ("pending", "confirmed", "done")


class PrivacyRequest(db.Model):
    """An export or erasure asked for an email address: pending until its mailed link is opened,
    confirmed then, done once carried out. A done erasure keeps only the address's hash."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {REQUEST_KINDS}", name="kind"),
        sa.CheckConstraint(f"status IN {REQUEST_STATUSES}", name="status"),
        sa.Index("ix_privacy_requests_status_created", "status", "created_at", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    # None once an erasure is done: the request must not keep what it erased.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # SHA-256 of the lower-cased address: finds a person's requests after their address is gone.
    email_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    erase_text: Mapped[bool] = mapped_column(default=False)  # an erasure of comments' text too
    source: Mapped[str] = mapped_column(sa.String(10), default="reader")  # "reader", "admin", "account"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What was done, in counts only ("40 comments anonymised, 2 subscriptions deleted").
    outcome: Mapped[str] = mapped_column(sa.String(255), default="")
    # Signed into the request's mailed link, so that the link names this request and no other.
    link_secret: Mapped[str] = mapped_column(sa.String(32), default=new_link_secret)
