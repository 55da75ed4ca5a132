"""One received message: which of our addresses it came to, whether it may act, and what it becomes.

Every message leaves one InboundMail row and one log line. Nothing a stranger sends raises:
the SMTP listener turns the outcome into its reply, the IMAP poller only logs it.
"""

import logging
from dataclasses import dataclass
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from extensions import db
from notify import reply_addresses
from notify.inbound import bounces, replies
from notify.inbound.message import ParsedMail, parse_mail
from notify.models import InboundMail
from notify.reply_addresses import BOUNCE, MODERATION, BadReplyAddress, ReplyToken

log = logging.getLogger(__name__)

ACCEPTED = (250, "2.0.0 Message accepted")
# Refused with a 5xx: the sender's own server tells them, and nothing of ours mails anyone.
NOT_OURS = "550 5.1.1 No such mailbox here"
NOT_FOR_SENDER = (550, "5.7.1 This reply address was not given to your address")
EXPIRED = (550, "5.7.1 This reply address has expired; please answer on the blog's page")


@dataclass(frozen=True)
class Received:
    smtp_code: int
    smtp_text: str
    outcome: str  # InboundMail.outcome


def check_recipient(address: str) -> str | None:
    """None when `address` is one of our reply addresses (a token's form, not yet its signature);
    else the SMTP refusal, so that the listener relays nothing and takes no mail for strangers."""
    try:
        reply_addresses.read_address(address)
    except BadReplyAddress as error:
        log.info("inbound mail to %s refused at RCPT: %s", address[:254], error)
        return NOT_OURS
    return None


def receive_message(raw: bytes, *, envelope_from: str | None, recipients: list[str]) -> Received:
    """Read one message sent to `recipients` and act on it; commits. Never raises for bad input.

    envelope_from is SMTP's MAIL FROM ("" for the null sender of bounces and auto-replies), or
    None when it is unknown (a message read from a mailbox).
    """
    try:
        return _receive(raw, envelope_from, recipients)
    except Exception:
        db.session.rollback()
        log.exception("inbound mail from %s could not be processed", (envelope_from or "-")[:254])
        return Received(451, "4.3.0 Temporary failure, please try again later", "failed")


def _receive(raw: bytes, envelope_from: str | None, recipients: list[str]) -> Received:
    parsed = parse_mail(raw, trusted_authserv_id=current_app.config["MAIL_INBOUND_AUTHSERV_ID"])
    record = InboundMail(message_id=parsed.message_id, envelope_from=(envelope_from or "")[:254],
                         from_addr=parsed.from_addr[:254], subject=parsed.subject[:300], size=parsed.size,
                         spf=parsed.auth.spf[:20], dkim=parsed.auth.dkim[:20])
    recipient, token = _token_of(recipients)
    record.recipient = (recipient or ", ".join(recipients))[:254]
    if token is None:
        return _finish(record, "dropped", "no reply token in the recipients", ACCEPTED)
    if token.kind == BOUNCE:
        record.kind = "bounce"
        outcome, detail = bounces.record_bounce(token, parsed)
        record.outbox_id = token.object_id if outcome == "bounce" else None  # a message that exists
        return _finish(record, outcome, detail, ACCEPTED)
    record.kind = "moderation" if token.kind == MODERATION else "reply"
    if reason := _automatic(parsed, envelope_from):
        return _finish(record, "dropped", reason, ACCEPTED)  # answering could start a loop
    if _already_received(parsed.message_id):
        return _finish(record, "dropped", "already received (same Message-ID)", ACCEPTED)
    if not token.signed_for(parsed.from_addr):
        return _finish(record, "refused", "reply token not valid for the sender's address", NOT_FOR_SENDER)
    if token.expired():
        return _finish(record, "refused", "reply token expired", EXPIRED)
    if not parsed.text:
        return _finish(record, "dropped", "no new text (only quoted text or an empty message)", ACCEPTED)
    act = replies.moderate_by_mail if token.kind == MODERATION else replies.reply_by_mail
    result = act(token.object_id, parsed)
    record.comment_id = result.comment_id
    return _finish(record, result.outcome, result.detail, ACCEPTED)


def _token_of(recipients: list[str]) -> tuple[str | None, ReplyToken | None]:
    """The first recipient that is one of our reply addresses, and its token."""
    for address in recipients:
        try:
            return address, reply_addresses.read_address(address)
        except BadReplyAddress:
            continue
    return None, None


def _automatic(parsed: ParsedMail, envelope_from: str | None) -> str | None:
    """Why a message is not a person's reply: an auto-reply, a list's mail, a bounce, our own mail."""
    if parsed.auto_submitted:
        return f"automatic message ({parsed.auto_submitted})"
    if parsed.bounces:
        return "a delivery report sent to a reply address"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "empty envelope sender (automatic mail)"
    if reply_addresses.is_ours(parsed.from_addr) or parsed.from_addr == _our_sender():
        return "sent by this blog (a mail loop)"
    return None


def _our_sender() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].strip().lower()


def _already_received(message_id: str) -> bool:
    if not message_id:
        return False
    query = sa.select(InboundMail.id).where(InboundMail.message_id == message_id[:255],
                                            InboundMail.outcome.in_(("comment", "moderated"))).limit(1)
    return db.session.scalar(query) is not None


def _finish(record: InboundMail, outcome: str, detail: str, reply: tuple[int, str]) -> Received:
    record.outcome, record.detail = outcome, detail[:255]
    db.session.add(record)
    db.session.commit()
    log.info("inbound mail %s from %s to %s: %s (%s)", record.message_id or "-", record.from_addr or "-",
             record.recipient or "-", outcome, detail)
    return Received(*reply, outcome)
