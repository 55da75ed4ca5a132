"""The inbound mail listener (`flask mail inbound`): an aiosmtpd SMTP or LMTP server meant to sit
behind the site's mail server, which relays the mail for the reply addresses to it.

Only our own addresses are accepted at RCPT (check_recipient), so it never relays; each message
goes to receive_message, whose answer becomes the SMTP reply. The database work runs in a worker
thread, each call in an app context of its own, so that one slow message does not stall the
event loop that serves every other connection.
"""

import asyncio
import logging
from functools import partial

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask

from extensions import db
from notify.inbound.receive import Received, check_recipient, receive_message

log = logging.getLogger(__name__)

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


class InboundHandler:
    """aiosmtpd handler giving each recipient and message to notify.inbound.receive, in `app`."""

    def __init__(self, app: Flask, lmtp: bool = False):
        self.app = app
        self.lmtp = lmtp

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._in_app(check_recipient, address)  # which logs a refusal
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        raw = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        if not self.lmtp:
            return await loop.run_in_executor(None, self._reply, raw, envelope.mail_from, envelope.rcpt_tos)
        # LMTP answers DATA once per accepted recipient (RFC 2033), each with its own outcome;
        # aiosmtpd sends the lines as they are.
        replies = [await loop.run_in_executor(None, self._reply, raw, envelope.mail_from, [recipient])
                   for recipient in envelope.rcpt_tos]
        return "\r\n".join(replies)

    def _reply(self, raw: bytes, envelope_from: str, recipients: list[str]) -> str:
        try:
            received: Received = self._in_app(
                partial(receive_message, raw, envelope_from=envelope_from or "", recipients=list(recipients)))
        except Exception:  # the database is down or a bug: the sending server keeps it and retries
            log.exception("inbound mail from %s to %s failed", envelope_from, ", ".join(recipients))
            return TEMPORARY_FAILURE
        return f"{received.smtp_code} {received.smtp_text}"

    def _in_app(self, call, *args):
        """call(*args) in an app context of its own, its database session closed afterwards."""
        with self.app.app_context():
            try:
                return call(*args)
            finally:
                db.session.remove()


class _SizeLoggingMixin:
    """Says in the log when aiosmtpd refuses a message for its size (it does that before any
    handler hook runs), and gives the sender a reply that names the limit."""

    async def push(self, status):
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        if text.startswith("552 Error:"):
            log.warning("inbound mail from %s (%s) refused: over MAIL_INBOUND_MAX_BYTES (%d bytes)",
                        self.envelope and self.envelope.mail_from or "?", self.session and self.session.peer,
                        self.data_size_limit)
            status = f"552 5.3.4 Message too big for this blog (the limit is {self.data_size_limit} bytes)"
        for _ in range(self.replies_for(text)):
            await super().push(status)

    def replies_for(self, text: str) -> int:
        return 1


class _SMTPServer(_SizeLoggingMixin, SMTP):
    pass


class _LMTPServer(_SizeLoggingMixin, LMTP):
    """LMTP answers the end of DATA once per recipient (RFC 2033): aiosmtpd's own refusals of the
    data (too large, a line too long) are sent once, so they are repeated here, or the client would
    wait for the missing replies."""

    def replies_for(self, text: str) -> int:
        data_refused = text.startswith(("552 Error: Too much mail data", "500 Line too long"))
        return max(1, len(self.envelope.rcpt_tos)) if data_refused and self.envelope else 1


class InboundController(Controller):
    """aiosmtpd's threaded Controller serving our SMTP or LMTP server class."""

    def __init__(self, handler: InboundHandler, **kwargs):
        super().__init__(handler, **kwargs)
        self.server_class = _LMTPServer if handler.lmtp else _SMTPServer

    def factory(self):
        return self.server_class(self.handler, **self.SMTP_kwargs)


def start_listener(app: Flask, host: str, port: int, lmtp: bool = False) -> Controller:
    """Start receiving mail on host:port in a thread of its own (stop it with .stop())."""
    _, _, domain = app.config["MAIL_REPLY_ADDRESS"].rpartition("@")
    controller = InboundController(
        InboundHandler(app, lmtp=lmtp), hostname=host, port=port,
        server_hostname=domain or host,  # given, or aiosmtpd asks DNS for this machine's name
        ident=app.config["BLOG_TITLE"],
        data_size_limit=app.config["MAIL_INBOUND_MAX_BYTES"],
        # Bytes as received: receive_message parses the message and its charsets itself.
        decode_data=False,
    )
    controller.start()
    log.info("inbound mail: %s listening on %s:%d", "LMTP" if lmtp else "SMTP", host, port)
    return controller
