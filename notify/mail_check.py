"""The admin's "Send a test email": one mail sent at once, not through the outbox, over the
outbox's own connection code (notify.sender), with each step of the SMTP conversation reported."""

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app

from notify.sender import Reply, ServerUnreachable, connect, expect_reply, headed_email, quit_smtp


@dataclass
class TestMailReport:
    """What send_test_mail saw: each step of the SMTP conversation with the server's reply."""

    ok: bool = False
    steps: list[str] = field(default_factory=list)
    error: str = ""
    configured: bool = True  # False: MAIL_SERVER is not set and nothing was tried

    def heard(self, step: str, reply: Reply) -> None:
        self.steps.append(f"{step}: {reply[0]} {_reply_text(reply[1])}")


def send_test_mail(to: str) -> TestMailReport:
    """Send one mail to `to` right now, not through the outbox, and report the SMTP conversation
    step by step (the admin's "Send a test email")."""
    report = TestMailReport()
    config = current_app.config
    if not config["MAIL_SERVER"]:
        report.configured = False
        report.error = ("Mail is not configured: set MAIL_SERVER (and MAIL_PORT) to the mail server the blog "
                        "sends through.")
        return report
    email = headed_email(to, f"Test email from {config['BLOG_TITLE']}", "test")
    email.set_content(f"This is a test email from {config['BLOG_TITLE']} ({config['SITE_URL']}).\n\n"
                      "It came straight from the blog to show that its mail gets through.\n")
    smtp = None
    try:
        smtp = connect(report.heard)
        _transact(smtp, email, to, report.heard)
        report.ok = True
    except ServerUnreachable as error:
        report.error = _explain(error.__cause__)
    except OSError as error:  # smtplib's exceptions are OSErrors too
        report.error = _explain(error)
    finally:
        goodbye = quit_smtp(smtp) if smtp is not None else None
        if goodbye is not None:
            report.heard("QUIT", goodbye)
    return report


def _transact(smtp: smtplib.SMTP, email: EmailMessage, to: str, heard: Callable[[str, Reply], None]) -> None:
    """MAIL FROM, RCPT TO and DATA one at a time, so that each reply is heard; a refusal raises."""
    sender = parseaddr(email["From"])[1]
    reply = smtp.mail(sender)
    heard(f"MAIL FROM:<{sender}>", reply)
    if reply[0] != 250:
        raise smtplib.SMTPSenderRefused(*reply, sender)
    reply = smtp.rcpt(to)
    heard(f"RCPT TO:<{to}>", reply)
    if reply[0] not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({to: reply})
    # As send_message writes it: CRLF line ends, which smtplib's data() leaves to its caller for bytes.
    heard("DATA", expect_reply(smtp.data(email.as_bytes(policy=email.policy.clone(linesep="\r\n"))), 250,
                          smtplib.SMTPDataError))


_REFUSALS = (  # what a refusal means to the blog's owner; the most specific classes first
    (smtplib.SMTPAuthenticationError, "The mail server refused the log-in: check MAIL_USERNAME and MAIL_PASSWORD."),
    (smtplib.SMTPSenderRefused, "The mail server refused the sender address: check MAIL_DEFAULT_SENDER."),
    (smtplib.SMTPDataError, "The mail server refused the message itself."),
    (smtplib.SMTPConnectError, "The mail server at {where} would not talk to the blog."),
    (smtplib.SMTPHeloError, "The mail server refused the blog's greeting (EHLO)."),
    (smtplib.SMTPResponseException, "The mail server answered with an error."),
)


def _explain(error: BaseException) -> str:
    """What went wrong, first in words for the blog's owner, then as the server (or system) put it."""
    config = current_app.config
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(error.recipients.items()))
        return f"The mail server refused the recipient {address}. It answered: {code} {_reply_text(text)}"
    for kind, meaning in _REFUSALS:
        if isinstance(error, kind):
            answer = f"{error.smtp_code} {_reply_text(error.smtp_error)}"
            return f"{meaning.format(where=where)} It answered: {answer}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"The mail server does not offer what the settings ask for (MAIL_USE_TLS, MAIL_USERNAME): {error}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if not isinstance(error.__context__, TimeoutError):
            return f"The mail server at {where} closed the connection unexpectedly: {error}"
        error = error.__context__  # how smtplib reports a reply that did not come in time
    if isinstance(error, ssl.SSLError):
        return f"The secure connection (STARTTLS) with the mail server at {where} failed: {error}"
    if isinstance(error, ConnectionRefusedError):
        return (f"Could not connect to the mail server at {where}: the connection was refused. Is the server "
                f"running, and are MAIL_SERVER and MAIL_PORT right? ({error})")
    if isinstance(error, TimeoutError):
        return f"The mail server at {where} did not answer within {config['MAIL_TIMEOUT']:g} seconds (MAIL_TIMEOUT)."
    if isinstance(error, socket.gaierror):
        return f"The mail server's name {config['MAIL_SERVER']} could not be found: check MAIL_SERVER. ({error})"
    return f"Could not talk to the mail server at {where}: {error}"


def _reply_text(text: bytes | str) -> str:
    """An SMTP reply's text on one line (a multi-line EHLO reply: its first line, the server's name)."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return text.splitlines()[0] if text else ""
