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

from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import ngettext
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
        report.error = _("Mail is not configured: set MAIL_SERVER (and MAIL_PORT) to the mail server the blog "
                         "sends through.")
        return report
    email = headed_email(to, _("Test email from %(blog)s", blog=config["BLOG_TITLE"]), "test")
    email.set_content(_("This is a test email from %(blog)s (%(url)s).", blog=config["BLOG_TITLE"],
                        url=config["SITE_URL"]) + "\n\n"
                      + _("It came straight from the blog to show that its mail gets through.") + "\n")
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
    (smtplib.SMTPAuthenticationError, _l("The mail server refused the log-in: check MAIL_USERNAME and MAIL_PASSWORD.")),
    (smtplib.SMTPSenderRefused, _l("The mail server refused the sender address: check MAIL_DEFAULT_SENDER.")),
    (smtplib.SMTPDataError, _l("The mail server refused the message itself.")),
    (smtplib.SMTPConnectError, _l("The mail server at %(where)s would not talk to the blog.")),
    (smtplib.SMTPHeloError, _l("The mail server refused the blog's greeting (EHLO).")),
    (smtplib.SMTPResponseException, _l("The mail server answered with an error.")),
)


def _explain(error: BaseException) -> str:
    """What went wrong, first in words for the blog's owner, then as the server (or system) put it."""
    config = current_app.config
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(error.recipients.items()))
        answer = f"{code} {_reply_text(text)}"
        return _("The mail server refused the recipient %(address)s. It answered: %(answer)s", address=address,
                 answer=answer)
    for kind, meaning in _REFUSALS:
        if isinstance(error, kind):
            answer = f"{error.smtp_code} {_reply_text(error.smtp_error)}"
            return _("%(meaning)s It answered: %(answer)s", meaning=str(meaning) % {"where": where}, answer=answer)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _("The mail server does not offer what the settings ask for (MAIL_USE_TLS, MAIL_USERNAME): "
                 "%(error)s", error=error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if not isinstance(error.__context__, TimeoutError):
            return _("The mail server at %(where)s closed the connection unexpectedly: %(error)s", where=where,
                     error=error)
        error = error.__context__  # how smtplib reports a reply that did not come in time
    if isinstance(error, ssl.SSLError):
        return _("The secure connection (STARTTLS) with the mail server at %(where)s failed: %(error)s",
                 where=where, error=error)
    if isinstance(error, ConnectionRefusedError):
        return _("Could not connect to the mail server at %(where)s: the connection was refused. Is the server "
                 "running, and are MAIL_SERVER and MAIL_PORT right? (%(error)s)", where=where, error=error)
    if isinstance(error, TimeoutError):
        return _no_answer(where, config["MAIL_TIMEOUT"])
    if isinstance(error, socket.gaierror):
        return _("The mail server's name %(name)s could not be found: check MAIL_SERVER. (%(error)s)",
                 name=config["MAIL_SERVER"], error=error)
    return _("Could not talk to the mail server at %(where)s: %(error)s", where=where, error=error)


def _no_answer(where: str, timeout: float) -> str:
    """That the server did not answer in time; a whole number of seconds takes the plural it needs."""
    if timeout == int(timeout):
        return ngettext("The mail server at %(where)s did not answer within %(num)d second (MAIL_TIMEOUT).",
                        "The mail server at %(where)s did not answer within %(num)d seconds (MAIL_TIMEOUT).",
                        int(timeout), where=where)
    return _("The mail server at %(where)s did not answer within %(seconds)s seconds (MAIL_TIMEOUT).",
             where=where, seconds=format(timeout, "g"))


def _reply_text(text: bytes | str) -> str:
    """An SMTP reply's text on one line (a multi-line EHLO reply: its first line, the server's name)."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return text.splitlines()[0] if text else ""
