"""Bounces: a delivery report (RFC 3464) that came back to one outbox message's envelope sender.

The envelope sender names the message and is signed for its recipient (notify.reply_addresses),
so a forged report cannot mark an address we never mailed. Each failed message counts once
against its address; the sender stops mailing an address after MAIL_BOUNCE_LIMIT of them.
"""

import sqlalchemy as sa

from core.dbtypes import insert_or_ignore, utcnow
from extensions import db
from notify.inbound.message import BounceReport, ParsedMail
from notify.mailer import normalize_email
from notify.models import InboundMail, MailAddress, OutboxMessage
from notify.reply_addresses import ReplyToken


def record_bounce(token: ReplyToken, mail: ParsedMail) -> tuple[str, str]:
    """Count a failed delivery against the address the message went to, in the caller's transaction;
    the InboundMail outcome and detail."""
    message = db.session.get(OutboxMessage, token.object_id)
    if message is None or not token.signed_for(message.to_addr):
        return "dropped", "bounce token names no message of ours"
    if not mail.bounces:
        return "dropped", "not a delivery report" + (f" ({mail.auto_submitted})" if mail.auto_submitted else "")
    failed = [report for report in mail.bounces if report.action == "failed"]
    if not failed:
        return "dropped", f"delivery report: {mail.bounces[0].action or 'no action'}, not a failure"
    if _counted_already(message):
        return "dropped", f"bounce of message {message.id} already counted"
    report = failed[0]
    _count_against(normalize_email(message.to_addr), report)
    message.status = "failed"
    message.last_error = f"Bounced: {report.status} {report.diagnostic}".strip()[:2000]
    return "bounce", f"message {message.id} to {message.to_addr} bounced ({report.status})"


def _counted_already(message: OutboxMessage) -> bool:
    """Whether a report for this message was counted (a second report of the same failure)."""
    query = sa.select(InboundMail.id).where(InboundMail.outbox_id == message.id, InboundMail.outcome == "bounce")
    return db.session.scalar(query.limit(1)) is not None


def _count_against(email: str, report: BounceReport) -> None:
    now = utcnow()
    insert_or_ignore(MailAddress, email=email, bounce_count=0, last_status="", last_diagnostic="")
    db.session.execute(sa.update(MailAddress).where(MailAddress.email == email).values(
        bounce_count=MailAddress.bounce_count + 1,
        first_bounce_at=sa.func.coalesce(MailAddress.first_bounce_at, now),
        last_bounce_at=now, last_status=report.status[:20], last_diagnostic=report.diagnostic[:500]))
