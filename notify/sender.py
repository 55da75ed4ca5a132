"""Sending mail: deliver due outbox messages over SMTP, retrying with exponential backoff."""

import ipaddress
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from core.dbtypes import utcnow
from extensions import db
from notify import events, mailer
from notify.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class _ServerUnreachable(Exception):
    """The connection itself failed: stop this pass, the other messages wait for the next."""


def send_due(now: datetime | None = None, limit: int = 200) -> PassResult:
    """Try each due message once (for the CLI, the worker and the development thread)."""
    now = now or utcnow()
    result = PassResult()
    if not current_app.config["MAIL_SERVER"]:
        if not current_app.extensions.get("mail_unconfigured_warned"):
            current_app.extensions["mail_unconfigured_warned"] = True
            log.warning("MAIL_SERVER is not set: mail stays in the outbox.")
        return result
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            message = _claim_next(now)
            if message is None:
                break
            if message.template and not _bodies_written(message, result):
                db.session.commit()
                continue
            try:
                smtp = smtp or _connect()
                smtp.send_message(build_email(message))
            except _ServerUnreachable as error:
                _record_failure(message, error.__cause__, now, result, permanent=False)
                smtp = None
                db.session.commit()
                break
            except smtplib.SMTPServerDisconnected as error:
                _record_failure(message, error, now, result, permanent=False)
                smtp = None
                db.session.commit()
                break
            except smtplib.SMTPException as error:
                _record_failure(message, error, now, result, permanent=_is_permanent(error))
            except OSError as error:  # the socket broke mid-message
                _record_failure(message, error, now, result, permanent=False)
                smtp = None
                db.session.commit()
                break
            else:
                message.status, message.sent_at = "sent", utcnow()
                message.attempts += 1
                result.sent += 1
            db.session.commit()  # one message per transaction: a crash never resends the batch
    finally:
        if smtp is not None:
            _quit(smtp)
    return result


def _claim_next(now: datetime) -> OutboxMessage | None:
    # SKIP LOCKED lets several workers share the outbox on PostgreSQL without sending twice.
    return db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def write_bodies(message: OutboxMessage) -> bool:
    """Render a mail queued with mailer.enqueue_later; False when what it was about is gone."""
    context = events.LATER_CONTEXTS[message.template](message.template_data or {})
    if context is None:
        return False
    context |= {"subject": message.subject, "unsubscribe_url": None}
    message.body_text, message.body_html = mailer.render_bodies(message.template, context)
    message.template = message.template_data = None
    return True


def _bodies_written(message: OutboxMessage, result: PassResult) -> bool:
    """Write a deferred mail's bodies, or fail it for good: rendering again would fail again."""
    try:
        written = write_bodies(message)
    except sa.exc.DBAPIError:
        raise  # the database, not the mail: the next pass tries again
    except Exception as error:
        log.exception("mail %s to %s could not be written", message.id, message.to_addr)
        written, message.last_error = False, f"{type(error).__name__}: {error}"[:2000]
    if not written:
        message.status = "failed"
        message.last_error = message.last_error or "what the mail was about was deleted before it was written"
        result.failed += 1
    return written


def _is_permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _record_failure(message, error, now, result: PassResult, *, permanent: bool) -> None:
    config = current_app.config
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if permanent or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        message.status = "failed"
        result.failed += 1
        log.error("mail %s to %s failed for good: %s", message.id, message.to_addr, error)
        return
    delay = config["MAIL_RETRY_SECONDS"] * 2 ** (message.attempts - 1)
    message.next_attempt_at = now + timedelta(seconds=delay)
    result.retried += 1
    log.warning(
        "mail %s to %s failed (try %d), retrying in %ds: %s",
        message.id,
        message.to_addr,
        message.attempts,
        delay,
        error,
    )


def _helo_name() -> str:
    # Given explicitly: smtplib's default looks the machine's name up in DNS.
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "127.0.0.1"
    try:
        return f"[{ipaddress.ip_address(host)}]"
    except ValueError:
        return host


def _connect() -> smtplib.SMTP:
    """An open, logged-in connection; any failure here (refused, TLS, log-in) is the server's."""
    config = current_app.config
    try:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            local_hostname=_helo_name(),
            timeout=config["MAIL_TIMEOUT"],
        )
    except OSError as error:  # smtplib's exceptions are OSErrors too
        raise _ServerUnreachable() from error
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except OSError as error:
        _quit(smtp)
        raise _ServerUnreachable() from error
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(idstring=f"outbox.{message.id}", domain=domain)
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def mail_pass() -> str:
    """The worker's pass (core.worker): one run_pass, reported as a line."""
    result = run_pass()
    return f"Mail: {result.sent} sent, {result.retried} to retry, {result.failed} failed."


def run_pass(now: datetime | None = None) -> PassResult:
    """One worker pass: write the digests that are due, then send what the outbox holds."""
    from notify.digests import send_digests

    now = now or utcnow()
    send_digests(now)
    db.session.commit()
    return send_due(now)
