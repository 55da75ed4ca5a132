"""What an inbound mail says, read once: sender, subject, whether a machine sent it, the upstream
server's SPF and DKIM verdicts, the bounces of a delivery report and the reader's new text.

Anyone can send anything: nothing here raises on a broken mail, a field it cannot read is empty.
"""

import binascii
import email.policy
import quopri
import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parseaddr
from itertools import islice

from notify.inbound.reply_text import decode_bytes, new_text

# Beyond these the mail is read for its headers only: the standard parser recurses once per nested
# part and reads every part's headers with a slow parser, so a hostile mail could take minutes.
MAX_NESTED_PARTS = 64
MAX_PARTS = 1000
MAX_DASH_LINES = 5000  # boundaries, for parts without headers
MAX_BOUNCES = 100
_NESTED_PART = re.compile(rb"content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.IGNORECASE)
_PART = re.compile(rb"content-type:", re.IGNORECASE)
_DASH_LINE = re.compile(rb"^--", re.MULTILINE)
_STATUS_CODE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_RESULT = re.compile(r"^([A-Za-z0-9_.-]+)(?:\s*/\s*\d+)?\s*=\s*([A-Za-z0-9_-]+)")
_TYPED_VALUE = re.compile(r"^\s*[A-Za-z0-9-]+\s*;\s*")  # "rfc822; ada@x", "smtp; 550 ..."
_VACATION_SUBJECTS = ("out of office", "out of the office", "automatic reply:", "auto:", "autoreply", "auto-reply",
                      "auto reply", "abwesenheitsnotiz", "automatische antwort", "réponse automatique", "vacation")
_LIST_HEADERS = ("list-id", "list-unsubscribe")
_AUTOMATIC_HEADERS = ("auto-submitted", "precedence", "x-autoreply", "x-autorespond", *_LIST_HEADERS)
_AUTOMATIC_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


@dataclass(frozen=True)
class AuthResults:
    """The upstream server's verdicts from Authentication-Results, lower-case ("pass", "fail"...) or ""."""

    spf: str = ""
    dkim: str = ""


@dataclass(frozen=True)
class BounceReport:
    """One recipient's block of a delivery status notification (RFC 3464)."""

    recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # "5.1.1"
    diagnostic: str


@dataclass(frozen=True)
class ParsedMail:
    """An inbound mail as receive_message needs it."""

    message_id: str
    from_addr: str  # lower-case addr-spec, "" when there is none
    from_name: str
    subject: str
    auto_submitted: str | None  # why a machine sent it ("Precedence: bulk"), None for a person's mail
    auth: AuthResults
    text: str  # the reader's new text as comment markup, "" when there is none
    bounces: list[BounceReport]  # from a delivery status report, else []
    size: int


def parse_mail(raw: bytes, *, trusted_authserv_id: str = "") -> ParsedMail:
    """Read a raw mail; never raises, however broken it is.

    Authentication-Results are read from the headers of trusted_authserv_id when given, else from
    the topmost one only (the one the last server added; the ones below came with the mail).
    """
    raw = bytes(raw)
    message = _message(raw)
    headers = _headers(message)
    from_addr, from_name = _guarded(lambda: _sender(headers.get("from", [""])[0]), ("", ""))
    bounces = _guarded(lambda: _bounces(message), [])
    return ParsedMail(
        message_id=_guarded(lambda: _message_id(headers), ""),
        from_addr=from_addr,
        from_name=from_name,
        subject=_guarded(lambda: _subject(headers), ""),
        auto_submitted=_guarded(lambda: _automatic(message, headers, bool(bounces)), None),
        auth=_guarded(lambda: auth_results(headers.get("authentication-results", []), trusted_authserv_id),
                      AuthResults()),
        text=_guarded(lambda: new_text(message), ""),
        bounces=bounces,
        size=len(raw),
    )


def _guarded(read, default):
    try:
        return read()
    except Exception:  # one unreadable field must not cost the others
        return default


def _message(raw: bytes) -> Message:
    """The parsed mail; only its headers when it has more parts, or more deeply nested ones, than
    a mail client writes."""
    try:
        if _too_many(_NESTED_PART, raw, MAX_NESTED_PARTS) or _too_many(_PART, raw, MAX_PARTS) or \
                _too_many(_DASH_LINE, raw, MAX_DASH_LINES):
            return BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        return BytesParser(policy=email.policy.default).parsebytes(raw)
    except Exception:  # the parser is lenient, but a message that breaks it is still just garbage
        return EmailMessage()


def _too_many(pattern: re.Pattern, raw: bytes, limit: int) -> bool:
    return sum(1 for _ in islice(pattern.finditer(raw), limit + 1)) > limit


def _headers(message: Message) -> dict[str, list[str]]:
    """Header values as received, top first, by lower-case name: unfolded, 8-bit bytes read as UTF-8."""
    values: dict[str, list[str]] = {}
    try:
        for name, value in message.raw_items():
            values.setdefault(str(name).strip().lower(), []).append(_unfolded(str(value)))
    except Exception:  # keep what was read before the breakage
        pass
    return values


def _unfolded(value: str) -> str:
    try:
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)  # raw 8-bit bytes: UTF-8 or cp1252
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\x00", "").strip()


def _decoded_header(name: str, value: str, limit: int) -> str:
    """An encoded header (RFC 2047) as text; the first `limit` characters are read."""
    try:
        text = str(email.policy.default.header_factory(name, value[:limit]))
    except Exception:  # an encoded word the library cannot read is shown as it came
        text = value[:limit]
    return _one_line(_unfolded(text))


def _one_line(text: str) -> str:
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


def _message_id(headers: dict[str, list[str]]) -> str:
    value = headers.get("message-id", [""])[0]
    found = re.search(r"<([^<>]*)>", value)
    return re.sub(r"\s+", "", found.group(1) if found else value)[:255]


def _subject(headers: dict[str, list[str]]) -> str:
    return _decoded_header("subject", headers.get("subject", [""])[0], 2000)[:300]


def _sender(value: str) -> tuple[str, str]:
    """The From address (lower-case addr-spec) and display name."""
    value = value[:1000]
    try:
        addresses = email.policy.default.header_factory("from", value).addresses
        address, name = (addresses[0].addr_spec, addresses[0].display_name) if addresses else ("", "")
    except Exception:  # the strict parser gave up: the lenient one finds what it can
        name, address = parseaddr(value)
    address = address.strip().lower()
    if "@" not in address or len(address) > 254 or re.search(r"\s", address):
        address = ""
    return address, _one_line(_unfolded(name))[:250]


def _automatic(message: Message, headers: dict[str, list[str]], has_bounces: bool) -> str | None:
    """Why the mail looks sent by a machine (auto-reply, list, vacation notice), or None.

    A delivery report with bounces is not one of these: the caller reads its bounces.
    """
    if message.get_content_type() == "multipart/report":
        report = str(message.get_param("report-type") or "").lower()
        return None if has_bounces else f"report: {report or 'unknown'}"[:255]
    first = {name: _one_line(headers[name][0][:200]) for name in _AUTOMATIC_HEADERS if headers.get(name)}
    if (first.get("auto-submitted") or "no").lower() != "no":
        return f"Auto-Submitted: {first['auto-submitted']}"[:255]
    if first.get("precedence", "").lower() in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {first['precedence']}"[:255]
    if (first.get("x-autoreply") or "no").lower() not in ("no", "false", "0"):
        return f"X-Autoreply: {first['x-autoreply']}"[:255]
    if "x-autorespond" in first:
        return "X-Autorespond"
    if listed := next((name for name in _LIST_HEADERS if name in first), None):
        return {"list-id": "List-Id", "list-unsubscribe": "List-Unsubscribe"}[listed]
    if _subject(headers).lower().startswith(_VACATION_SUBJECTS):
        return "vacation subject"
    return None


def auth_results(values: list[str], trusted_authserv_id: str = "") -> AuthResults:
    """SPF and DKIM verdicts from Authentication-Results header values (RFC 8601), top first.

    Of the headers of trusted_authserv_id, the topmost that reports a method is believed: headers
    below it came with the mail, and one claiming our server's name there is forged. Of several
    DKIM signatures one that passes is enough.
    """
    trusted = trusted_authserv_id.strip().lower()
    chosen = []
    for value in values:
        authserv_id, results = _results_of(value)
        if not trusted:
            chosen = [results]
            break
        if authserv_id.lower() == trusted:
            chosen.append(results)
    spf = next((result for results in chosen for method, result in results if method == "spf"), "")
    dkims = next(([result for method, result in results if method == "dkim"] for results in chosen
                  if any(method == "dkim" for method, _ in results)), [])
    dkim = "pass" if "pass" in dkims else (dkims[0] if dkims else "")
    return AuthResults(spf=spf[:20], dkim=dkim[:20])


def _results_of(value: str) -> tuple[str, list[tuple[str, str]]]:
    """The authserv-id and the (method, result) pairs of one Authentication-Results header."""
    parts = _without_comments(value).split(";")
    head = parts[0].strip()
    authserv_id = "" if "=" in head else (head.split() or [""])[0].strip('"')
    results = []
    for part in parts[1:]:
        if found := _RESULT.match(part.strip()):
            results.append((found.group(1).lower(), found.group(2).lower()))
    return authserv_id, results


def _without_comments(value: str) -> str:
    """The header without its (comments), which may hold semicolons; quoted strings kept."""
    out, depth, quoted, escaped = [], 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
            continue
        elif char == ")" and not quoted and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def _bounces(message: Message) -> list[BounceReport]:
    """The per-recipient blocks of a delivery status notification (multipart/report, RFC 3464)."""
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return []
    report = str(message.get_param("report-type") or "delivery-status").lower()
    if report not in ("delivery-status", "global-delivery-status"):
        return []
    reports = []
    for part in message.get_payload():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            reports += [bounce for block in _status_blocks(part) if (bounce := _bounce(block)) is not None]
    return reports[:MAX_BOUNCES]


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a delivery-status part, each by lower-case field name.

    The standard parser gives message/delivery-status as a list of header-only messages; other
    shapes (message/global-delivery-status, which may be encoded) are read from their text.
    """
    payload = part.get_payload()
    if part.get_content_type() != "message/delivery-status" or not isinstance(payload, list):
        return _text_blocks(_status_text(part))
    blocks = []
    for block in payload[:MAX_BOUNCES + 1]:
        blocks.append({name.lower(): _one_line(value) for name, value in _pairs(block)})
        body = block.get_payload(decode=True)
        if isinstance(body, bytes) and body.strip():  # blocks the parser left in the first one's body
            blocks += _text_blocks(decode_bytes(body, None))
    return blocks


def _status_text(part: Message) -> str:
    """A status part's text, decoded; the parser may have read it as a nested message."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = payload[0] if payload else EmailMessage()
        head = "".join(f"{name}: {value}\n" for name, value in _pairs(inner)).encode()
        body = inner.get_payload(decode=True)
        data = head + b"\n" + (body if isinstance(body, bytes) else b"")
        encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
        if encoding == "base64":
            data = binascii.a2b_base64(re.sub(rb"[^A-Za-z0-9+/=]", b"", data) + b"==")
        elif encoding == "quoted-printable":
            data = quopri.decodestring(data)
    else:
        data = part.get_payload(decode=True)
    return decode_bytes(data, part.get_content_charset()) if isinstance(data, bytes) else ""


def _pairs(block: Message) -> list[tuple[str, str]]:
    return [(str(name), _unfolded(str(value))) for name, value in block.raw_items()]


def _text_blocks(text: str) -> list[dict[str, str]]:
    """Blocks of "Field: value" lines separated by blank lines; continuation lines unfolded."""
    blocks = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text)[:MAX_BOUNCES + 1]:
        fields: dict[str, str] = {}
        name = None
        for line in chunk.splitlines():
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                fields[name] = value.strip()
        blocks.append({key: _one_line(value) for key, value in fields.items()})
    return blocks


def _bounce(fields: dict[str, str]) -> BounceReport | None:
    """One recipient's report, None for the per-message block or one without a recipient."""
    recipient = _TYPED_VALUE.sub("", fields.get("final-recipient") or fields.get("original-recipient") or "")
    recipient = recipient.strip().strip("<>").strip().lower()
    if not recipient or len(recipient) > 254:
        return None
    status = fields.get("status", "")
    found = _STATUS_CODE.search(status)
    return BounceReport(
        recipient=recipient,
        action=fields.get("action", "").strip().lower()[:20],
        status=found.group(1) if found else status.strip()[:20],
        diagnostic=_TYPED_VALUE.sub("", fields.get("diagnostic-code", ""))[:500],
    )
