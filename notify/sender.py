"""Sending mail: deliver due outbox messages over SMTP, retrying with exponential backoff and skipping
addresses that bounce. notify.mail_check sends the admin's test email over the same connection code."""

import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import in_language
from extensions import db
from notify import events, mailer
from notify.models import MailAddress, OutboxMessage
from notify.reply_addresses import BOUNCE, address_for

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


Reply = tuple[int, bytes]  # an SMTP reply: its code and text, as smtplib returns them
STOPPED = "Not sent: "  # how the last error of a mail to a stopped address starts


class ServerUnreachable(Exception):
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
        for _attempt in range(limit):
            message = _claim_next(now)
            if message is None:
                break
            if _suppressed(message, result):
                db.session.commit()
                continue
            if message.template and not _bodies_written(message, result):
                db.session.commit()
                continue
            try:
                smtp = smtp or connect()
                smtp.send_message(build_email(message), from_addr=_envelope_sender(message))
            except ServerUnreachable as error:
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
            quit_smtp(smtp)
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
    with in_language(message.language):  # the recipient's, subject included
        context = events.LATER_CONTEXTS[message.template](message.template_data or {}, message.to_addr)
        if context is None:
            return False
        message.subject = mailer.one_line(context.get("subject") or message.subject)
        context = {"reply_to": None} | context | {"subject": message.subject, "unsubscribe_url": None}
        message.body_text, message.body_html = mailer.render_bodies(message.template, context)
    if context["reply_to"]:
        message.headers = (message.headers or {}) | {"Reply-To": context["reply_to"]}
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


def _suppressed(message: OutboxMessage, result: PassResult) -> bool:
    """Fail, unsent, a mail to an address that has bounced too often (no connection is made for it)."""
    address = stopped_address(message.to_addr)
    if address is None:
        return False
    message.status, message.last_error = "failed", stopped_reason(address)
    result.failed += 1
    log.warning("mail %s to %s not sent: the address bounced %d times", message.id, message.to_addr,
                address.bounce_count)
    return True


def stopped_address(to_addr: str) -> MailAddress | None:
    """The address's bounce record when it has bounced MAIL_BOUNCE_LIMIT times or more, else None."""
    return db.session.scalar(sa.select(MailAddress).where(
        MailAddress.email == mailer.normalize_email(to_addr),
        MailAddress.bounce_count >= current_app.config["MAIL_BOUNCE_LIMIT"]))


def stopped_reason(address: MailAddress) -> str:
    """Why mail to a stopped address is not sent, with the last bounce's status and diagnostic."""
    last = " ".join(part for part in (address.last_status, address.last_diagnostic) if part)
    return f"{STOPPED}{address.email} bounced {address.bounce_count} times" + (f" (last: {last})" if last else "")


def _envelope_sender(message: OutboxMessage) -> str | None:
    # The signed bounce address names the message and its recipient, so that a bounce (DSN) comes
    # back to the inbound process and is read for certain. None (two-way mail is off): smtplib
    # then takes the From address, as before.
    return address_for(BOUNCE, message.id, message.to_addr)


def _is_permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
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


def _not_told(step: str, reply: Reply) -> None:
    """The outbox's listener: it needs no reply of a step, only the error that ends the conversation."""


class _SMTP(smtplib.SMTP):
    """smtplib's client, keeping the server's greeting (which its constructor reads) for the report."""

    greeting: Reply = (0, b"")

    def connect(self, host: str = "localhost", port: int = 0, source_address=None) -> Reply:
        self.greeting = super().connect(host, port, source_address)
        return self.greeting


def connect(heard: Callable[[str, Reply], None] = _not_told) -> smtplib.SMTP:
    """An open, logged-in connection, each step's reply told to `heard`; any failure here (refused,
    TLS, log-in) is the server's, raised as ServerUnreachable from the error."""
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    try:
        # Connected by the constructor: STARTTLS checks the certificate against the host it was given.
        smtp = _SMTP(host, port, local_hostname=_helo_name(), timeout=config["MAIL_TIMEOUT"])
    except OSError as error:  # smtplib's exceptions are OSErrors too
        raise ServerUnreachable() from error
    try:
        heard(_("Connected to %(host)s:%(port)s", host=host, port=port), smtp.greeting)
        heard("EHLO", _greet(smtp))
        if config["MAIL_USE_TLS"]:
            # smtplib answers a refused STARTTLS by going on unencrypted: the log-in must not follow.
            heard("STARTTLS", expect_reply(smtp.starttls(context=ssl.create_default_context()), 220))
            heard(_("EHLO (encrypted)"), _greet(smtp))
        if config["MAIL_USERNAME"]:
            heard(_("Logged in as %(name)s", name=config["MAIL_USERNAME"]),
                  smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or ""))
    except OSError as error:
        quit_smtp(smtp)
        raise ServerUnreachable() from error
    return smtp


def _greet(smtp: smtplib.SMTP) -> Reply:
    """EHLO, or HELO to a server that knows no ESMTP; SMTPHeloError when it takes neither."""
    reply = smtp.ehlo()
    if reply[0] != 250:
        reply = smtp.helo()
    return expect_reply(reply, 250, smtplib.SMTPHeloError)


def expect_reply(reply: Reply, code: int, error: type[smtplib.SMTPResponseException] = smtplib.SMTPResponseException
            ) -> Reply:
    if reply[0] != code:
        raise error(*reply)
    return reply


def quit_smtp(smtp: smtplib.SMTP) -> Reply | None:
    """Say goodbye (the server's reply), or just close a connection that is already broken (None)."""
    try:
        return smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
        return None


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative."""
    email = headed_email(message.to_addr, message.subject, f"outbox.{message.id}")
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def headed_email(to: str, subject: str, idstring: str) -> EmailMessage:
    """A message from MAIL_DEFAULT_SENDER to `to`, with its date and a Message-ID, still without a body."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(idstring=idstring, domain=domain)
    return email


def mail_pass() -> str:
    """The worker's pass (core.worker): one run_pass, reported as a line."""
    result = run_pass()
    return _("Mail: %(sent)d sent, %(retried)d to retry, %(failed)d failed.", sent=result.sent, retried=result.retried,
             failed=result.failed)


def run_pass(now: datetime | None = None) -> PassResult:
    """One worker pass: write the digests that are due, forget old received mail, then send what the
    outbox holds."""
    from notify.digests import send_digests
    from notify.inbound.retention import forget_old_received

    now = now or utcnow()
    send_digests(now)
    forget_old_received(now)
    db.session.commit()
    return send_due(now)
