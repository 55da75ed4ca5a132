"""Read-side queries of the Mail screen (the outbox, the failing addresses) and the dashboard's notice."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.dbtypes import utcnow
from extensions import db
from notify.mailer import normalize_email
from notify.models import InboundMail, MailAddress, OutboxMessage

STATUSES = ("all", "pending", "sent", "failed")  # the outbox's filter, "all" first
FAILING_SHOWN = 200  # the failing addresses listed, most recent bounce first
RECEIVED_SHOWN = 50  # the mails received listed, newest first
FAILING_FOR = timedelta(hours=1)  # the dashboard tells Administrators when mail has failed this long
FAILED_NOTICED = timedelta(days=1)  # how long a mail that failed for good keeps the notice up


def outbox_query(status: str) -> sa.Select:
    """The outbox's messages with this status ("all": every one), newest first."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return query if status == "all" else query.where(OutboxMessage.status == status)


def status_counts() -> dict[str, int]:
    """How many messages each filter shows, "all" included, in one statement."""
    counts = dict.fromkeys(STATUSES, 0)
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status))
    for status, number in rows:
        if status in counts:
            counts[status] = number
        counts["all"] += number
    return counts


def failing_addresses() -> tuple[list[MailAddress], int]:
    """The addresses that have bounced (the most recent bounce first, FAILING_SHOWN of them) and their number."""
    bounced = MailAddress.bounce_count > 0
    rows = db.session.scalars(sa.select(MailAddress).where(bounced).order_by(
        MailAddress.last_bounce_at.desc(), MailAddress.id.desc()).limit(FAILING_SHOWN)).all()
    total = len(rows) if len(rows) < FAILING_SHOWN else db.session.scalar(
        sa.select(sa.func.count()).select_from(MailAddress).where(bounced))
    return rows, total


def received_mail() -> list[InboundMail]:
    """The latest mails the inbound process received (replies, moderation, bounces), newest first."""
    return list(db.session.scalars(sa.select(InboundMail).order_by(InboundMail.received_at.desc(),
                                                                   InboundMail.id.desc()).limit(RECEIVED_SHOWN)))


def stopped_among(addresses: set[str]) -> set[str]:
    """Which of these addresses (lower case) have bounced too often to be mailed, in one query."""
    wanted = {normalize_email(address) for address in addresses}
    if not wanted:
        return set()
    return set(db.session.scalars(sa.select(MailAddress.email).where(
        MailAddress.email.in_(wanted), MailAddress.bounce_count >= current_app.config["MAIL_BOUNCE_LIMIT"])))


def mail_failing(now: datetime | None = None) -> bool:
    """Whether mail has been failing for over an hour: a mail written over an hour ago is still being
    retried, or has used up its tries lately, and nothing has been sent within the hour.

    A mail that used up MAIL_MAX_ATTEMPTS tries failed on the server, again and again; one refused
    sooner (a 5xx for that address) or never tried (a stopped address) says nothing about the server.
    One that failed for good counts for FAILED_NOTICED after its last try (which its next_attempt_at
    precedes), so that an old failure does not hold the notice up for good on a blog that sends nothing.
    One statement, run on every dashboard view: the outbox's (status, next_attempt_at) index finds the
    pending and the lately failed rows, and the sent ones are asked for only when those exist.
    """
    now = now or utcnow()
    since = now - FAILING_FOR
    status = OutboxMessage.status
    stuck = sa.select(OutboxMessage.id).where(OutboxMessage.created_at < since, sa.or_(
        sa.and_(status == _known("pending"), OutboxMessage.attempts >= 1),
        sa.and_(status == _known("failed"), OutboxMessage.next_attempt_at >= now - FAILED_NOTICED,
                OutboxMessage.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]))).exists()
    delivered = sa.select(OutboxMessage.id).where(status == _known("sent"), OutboxMessage.sent_at >= since).exists()
    return bool(db.session.scalar(sa.select(sa.and_(stuck, sa.not_(delivered)))))


def _known(status: str) -> sa.BindParameter:
    # Written into the statement: a plan PostgreSQL reuses for any parameters (psycopg prepares a
    # statement that runs often) still knows which status, and how rare it is.
    return sa.bindparam(None, status, type_=OutboxMessage.status.type, literal_execute=True)
