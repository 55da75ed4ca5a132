"""What the spam defences keep: the filter's token counts, readers' reports and the ladder."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from extensions import db

REPORT_REASONS = ("spam", "abuse", "off_topic", "illegal")
# The ladder's rungs, from the kindest to the strictest (blog.spam.standings).
STANDING_LEVELS = ("trusted", "hold", "suspended", "banned", "shadow")
# How a commenter is known: their account (its id), their normalised email, their IP address.
STANDING_KINDS = ("account", "email", "ip")


class SpamToken(db.Model):
    """One feature of the learning filter (blog.spam.filter): its weight, and how often moderators
    called a comment with it spam and not spam.

    Keyed by a 63-bit hash of the token, so that rows are fixed-size whatever the text; the row
    with token 0 is the model's bias, and its counts are how many spam and ham comments were learnt.
    """

    __tablename__ = "spam_tokens"

    token: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    spam: Mapped[int] = mapped_column(default=0, server_default="0")
    ham: Mapped[int] = mapped_column(default=0, server_default="0")
    weight: Mapped[float] = mapped_column(sa.Float, default=0.0, server_default="0")


class CommentReport(db.Model):
    """A reader's report that a comment is spam, abusive, off-topic or illegal."""

    __tablename__ = "comment_reports"
    __table_args__ = (
        # One report per reader per comment: reports count distinct readers.
        sa.UniqueConstraint("comment_id", "reporter_key"),
        sa.Index("ix_comment_reports_open", "resolved_at", "comment_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(20))  # one of REPORT_REASONS
    explanation: Mapped[str] = mapped_column(sa.Text, default="")  # required for "illegal"
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reporter_name: Mapped[str] = mapped_column(sa.String(245), default="")
    # Where to tell the reporter what became of it; empty when they did not say.
    reporter_email: Mapped[str] = mapped_column(sa.String(100), default="")
    # Who reported, as a keyed hash ("user:<id>" or the IP address): distinct without keeping the IP.
    reporter_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the moderator did: "removed" (spam, trash, deleted), "kept" (dismissed or approved).
    outcome: Mapped[str | None] = mapped_column(sa.String(20))


class CommenterStanding(db.Model):
    """Where one commenter (an account, an email or an IP address) stands on the ladder now."""

    __tablename__ = "commenter_standings"
    __table_args__ = (sa.UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # one of STANDING_KINDS
    value: Mapped[str] = mapped_column(sa.String(255))  # account id, normalised email, or IP
    level: Mapped[str] = mapped_column(sa.String(12))  # one of STANDING_LEVELS
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a suspension's end
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CommenterAction(db.Model):
    """One step a moderator took on a commenter's standing: the ladder's history."""

    __tablename__ = "commenter_actions"
    __table_args__ = (sa.Index("ix_commenter_actions_who", "kind", "value", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    value: Mapped[str] = mapped_column(sa.String(255))
    level: Mapped[str] = mapped_column(sa.String(12))  # a STANDING_LEVELS rung, or "none" once lifted
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    moderator_name: Mapped[str] = mapped_column(sa.String(250), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
