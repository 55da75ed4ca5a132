"""IMAP polling, the way in that needs no change to a mail server: each pass of the worker reads the
unseen messages of one mailbox (MAIL_IMAP_*), hands each to receive_message and deletes what was
handled, so that the mailbox does not grow. A message that could not be handled stays unseen and is
tried again at the next pass; one over MAIL_INBOUND_MAX_BYTES is marked seen without being downloaded.
"""

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr

from flask import current_app

from core.i18n import gettext as _
from extensions import db
from notify import reply_addresses
from notify.inbound.receive import receive_message

log = logging.getLogger(__name__)

# Where the address the mail was delivered to can be read once the envelope is gone, surest first.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


@dataclass
class PollResult:
    received: int = 0
    retry: int = 0
    too_large: int = 0


def poll_mailbox(limit: int = 200) -> str | None:
    """One pass over the mailbox (the worker and `flask mail imap`): the line to report, or None
    when IMAP is not configured. Never raises for a server that is down or refuses us."""
    config = current_app.config
    if not config["MAIL_IMAP_HOST"]:
        return None
    where = f"{config['MAIL_IMAP_HOST']}:{config['MAIL_IMAP_PORT']}"
    result = PollResult()
    try:
        with _connect() as imap:
            imap.login(config["MAIL_IMAP_USERNAME"], config["MAIL_IMAP_PASSWORD"])
            _ok(imap.select(_mailbox_name(config["MAIL_IMAP_MAILBOX"])), "SELECT")
            for uid in _unseen(imap)[:limit]:
                _take(imap, uid, result)
            _ok(imap.expunge(), "EXPUNGE")
    except (OSError, imaplib.IMAP4.error) as error:
        log.warning("inbound IMAP %s: %s", where, _describe(error))
        return _("IMAP: could not read the mailbox at %(where)s: %(error)s.", where=where, error=_describe(error))
    return _("IMAP: %(received)d received, %(retry)d to retry, %(too_large)d too large.", received=result.received,
             retry=result.retry, too_large=result.too_large)


def recipients_of(raw: bytes) -> list[str]:
    """Our addresses the message was delivered to, read from its headers (surest first, no repeats)."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    found: list[str] = []
    for name in RECIPIENT_HEADERS:
        values = [str(value) for value in headers.get_all(name, [])]
        for _name, address in getaddresses(values):
            address = address.strip().lower()
            if address and address not in found and reply_addresses.is_ours(address):
                found.append(address)
    return found


def envelope_sender_of(raw: bytes) -> str | None:
    """The envelope sender the delivering server wrote in Return-Path ("" for the null sender of
    bounces and auto-replies), or None when the message has none."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    value = headers.get("Return-Path")
    return None if value is None else parseaddr(str(value))[1].strip()


def _take(imap: imaplib.IMAP4, uid: str, result: PollResult) -> None:
    """Handle one unseen message: refuse it unread when too large, else receive and delete it."""
    size = _size(imap, uid)
    if size is None:
        return  # gone since the search (another client expunged it)
    limit = current_app.config["MAIL_INBOUND_MAX_BYTES"]
    if size > limit:
        _ok(imap.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "STORE")
        log.warning("inbound IMAP: message UID %s of %d bytes is over MAIL_INBOUND_MAX_BYTES (%d): "
                    "marked seen, not downloaded", uid, size, limit)
        result.too_large += 1
        return
    raw = _content(imap, uid)
    if raw is None:
        return
    try:
        received = receive_message(raw, envelope_from=envelope_sender_of(raw), recipients=recipients_of(raw))
    except Exception:  # the database or a bug: the message waits for the next pass
        log.exception("inbound IMAP: message UID %s failed; left unseen for the next pass", uid)
        db.session.rollback()
        result.retry += 1
        return
    if 400 <= received.smtp_code < 500:  # a temporary failure: try again, as an MTA would
        log.warning("inbound IMAP: message UID %s: %s %s; left unseen for the next pass",
                    uid, received.smtp_code, received.smtp_text)
        result.retry += 1
        return
    _ok(imap.uid("STORE", uid, "+FLAGS", r"(\Seen \Deleted)"), "STORE")
    result.received += 1


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    host, port, timeout = config["MAIL_IMAP_HOST"], config["MAIL_IMAP_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_IMAP_SSL"]:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def _unseen(imap: imaplib.IMAP4) -> list[str]:
    data = _ok(imap.uid("SEARCH", "UNSEEN"), "SEARCH")
    return [uid.decode() for line in data if isinstance(line, bytes) for uid in line.split()]


def _size(imap: imaplib.IMAP4, uid: str) -> int | None:
    for item in _ok(imap.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH"):
        if isinstance(item, bytes) and _is_about(item, uid) and (size := re.search(rb"RFC822\.SIZE (\d+)", item)):
            return int(size.group(1))
    return None


def _content(imap: imaplib.IMAP4, uid: str) -> bytes | None:
    """The whole message, without setting \\Seen (BODY.PEEK): only a handled message is flagged."""
    for item in _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH"):
        if isinstance(item, tuple) and b"BODY[]" in item[0] and _is_about(item[0], uid):
            return item[1]
    return None


def _is_about(fetch_line: bytes, uid: str) -> bool:
    """Whether a FETCH response is for this UID (servers may add others' flag changes)."""
    return re.search(rb"\bUID %s\b" % uid.encode(), fetch_line) is not None


def _ok(answer: tuple[str, list], command: str) -> list:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{command} refused: {_text(data)}")
    return data


def _mailbox_name(name: str) -> str:
    """The name as an IMAP string: imaplib sends arguments as they are, and a name may hold spaces."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(error: Exception) -> str:
    text = _text(error.args[0]) if error.args and isinstance(error.args[0], bytes | list) else str(error)
    return text or type(error).__name__


def _text(data) -> str:
    if isinstance(data, list):
        return " ".join(_text(item) for item in data if item is not None)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
