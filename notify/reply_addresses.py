"""Signed reply and bounce addresses: reply+<token>@ the domain of MAIL_REPLY_ADDRESS.

A token names what it is for (a reader's reply to a comment, an owner's moderation of one, or the
bounce of one outbox message), the id of that thing and the day it was made, and carries an HMAC
over those and the address it was sent to. Nothing is stored: the reply's From address (or the
bounced message's recipient) completes the signed data, so a token forwarded to someone else,
moved to another comment or altered is refused, and the From address alone never acts.

Tokens use lower-case letters, digits and "-" only, since mail servers may fold the case of local
parts, and stay under the 64 characters a local part may have.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr

from flask import current_app

from core.dbtypes import utcnow
from notify.mailer import normalize_email

READER_REPLY = "r"  # a reader answers the comment they were told about
MODERATION = "m"  # an owner answers a "new comment" mail
BOUNCE = "b"  # the envelope sender of one outbox message: its bounces come back here
KINDS = (READER_REPLY, MODERATION, BOUNCE)

_EPOCH = date(2020, 1, 1)
_TOKEN = re.compile(r"(?P<kind>[rmb])(?P<id>[0-9a-z]{1,12})-(?P<day>[0-9a-z]{1,6})-(?P<mac>[a-z2-7]{24})")
_MAC_BYTES = 15  # 120 bits, 24 base32 characters


class BadReplyAddress(Exception):
    """An address of ours that acts on nothing: malformed, altered, expired or someone else's."""


@dataclass(frozen=True)
class ReplyToken:
    kind: str
    object_id: int  # the comment (reply, moderation) or the outbox message (bounce)
    day: int  # days since _EPOCH when it was made
    mac: str

    def signed_for(self, recipient: str) -> bool:
        """Whether this token was made for `recipient`, unaltered (compared in constant time)."""
        return hmac.compare_digest(self.mac, _mac(self.kind, self.object_id, self.day, recipient))

    def expired(self) -> bool:
        return _today() - self.day > current_app.config["MAIL_REPLY_MAX_AGE_DAYS"]


def enabled() -> bool:
    """Whether mails carry reply addresses (MAIL_REPLY_ADDRESS is set)."""
    return "@" in current_app.config["MAIL_REPLY_ADDRESS"]


def address_for(kind: str, object_id: int, recipient: str) -> str | None:
    """reply+<token>@domain for `recipient`, or None when two-way mail is not configured."""
    if not enabled():
        return None
    day = _today()
    local, domain = _base()
    return f"{local}+{kind}{_b36(object_id)}-{_b36(day)}-{_mac(kind, object_id, day, recipient)}@{domain}"


def read_address(address: str) -> ReplyToken:
    """The token in one of our reply addresses; BadReplyAddress when it is not one.

    Only the form is checked here: signed_for and expired say whether it may act.
    """
    address = parseaddr(address)[1].strip().lower()
    local, _, domain = address.rpartition("@")
    our_local, our_domain = _base()
    base, plus, token = local.partition("+")
    if not enabled() or domain != our_domain or base != our_local or not plus:
        raise BadReplyAddress("not a reply address of this blog")
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise BadReplyAddress("malformed reply token")
    return ReplyToken(match["kind"], int(match["id"], 36), int(match["day"], 36), match["mac"])


def is_ours(address: str) -> bool:
    """Whether the address is at our reply address's name and domain (with or without a token)."""
    address = parseaddr(address)[1].strip().lower()
    local, _, domain = address.rpartition("@")
    our_local, our_domain = _base() if enabled() else ("", "")
    return bool(our_domain) and domain == our_domain and local.partition("+")[0] == our_local


def _base() -> tuple[str, str]:
    local, _, domain = current_app.config["MAIL_REPLY_ADDRESS"].strip().lower().rpartition("@")
    return local, domain


def _mac(kind: str, object_id: int, day: int, recipient: str) -> str:
    key = hashlib.sha256(b"notify.reply_addresses:" + current_app.config["SECRET_KEY"].encode()).digest()
    data = f"{kind}|{object_id}|{day}|{normalize_email(recipient)}".encode()
    digest = hmac.new(key, data, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.b32encode(digest).decode().lower()


def _today() -> int:
    return (utcnow().date() - _EPOCH).days


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
