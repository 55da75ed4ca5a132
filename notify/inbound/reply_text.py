"""The new text of a reader's mailed reply, as comment markup: what they wrote above (or below)
the quoted mail, without the quote, their signature or their mail client's boilerplate.

Mail clients mark quotes differently: Gmail, Apple Mail and Thunderbird write "On ... wrote:"
and quote with ">" (or a blockquote in HTML), Outlook writes a "From: / Sent: / To:" block under a
rule. Both the plain text and the HTML part are read with these shapes in mind; the plain text is
preferred, as it says the same with less to go wrong.
"""

import html
import re
from email.message import Message

import lxml.html
from lxml import etree

from blog.remote_replies import MAX_REPLY_CHARACTERS, comment_text_from_html
from blog.rendering import COMMENT_TAGS
from core.i18n import N_, in_every_language

REPLY_MARKER = N_("Reply above this line")
MAX_DEPTH = 30  # MIME parts nested deeper than mail clients write them are not read
MAX_PLAIN_CHARACTERS = 200_000  # the new text is at the top: the rest of a huge body is quote
MAX_HTML_CHARACTERS = 1_000_000

_MARKERS = tuple(marker.lower() for marker in in_every_language(REPLY_MARKER))  # our mails' line, any language
_WROTE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^On\s.*\bwrote\s*:$",
    r"^Am\s.*\bschrieb\b.*:$",
    r"^Le\s.*\ba\s+écrit\s*:$",
    r"^El\s.*\bescribió\s*:$",
    r"^Op\s.*\bschreef\b.*:$",
    r"^Il\s.*\bha\s+scritto\s*:$",
    r"^Em\s.*\bescreveu\s*:$",
)]
_WROTE_START = re.compile(r"^(?:On|Am|Le|El|Op|Il|Em)\s", re.IGNORECASE)
_ORIGINAL = re.compile(r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
                       r"Oorspronkelijk bericht|Messaggio originale)\s*-{2,}$", re.IGNORECASE)
_RULE = re.compile(r"^[_=-]{5,}$")
_FORWARDED = re.compile(r"^(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:)$", re.IGNORECASE)
_FROM_FIELD = re.compile(r"^(?:From|Von|De|Van|Da|Från|Fra)\s*:\s*\S", re.IGNORECASE)
_SENT_FIELD = re.compile(r"^(?:Sent|Date|Gesendet|Datum|Envoyé|Verzonden|Inviato|Data|Skickat|Sendt)\s*:",
                         re.IGNORECASE)
_TO_FIELD = re.compile(r"^(?:To|An|À|A|Aan|Till|Til|Para|Cc|Subject|Betreff|Objet|Onderwerp|Oggetto|Asunto|"
                       r"Assunto|Ämne|Emne)\s*:", re.IGNORECASE)
_CLIENT_LINE = re.compile(
    r"^(?:sent from my [\w .,'’&()-]{1,60}"
    r"|sent from (?:mail|outlook) for (?:windows|ios|android|mac)[\w .-]{0,20}"
    r"|sent from outlook(?: for \w+)?"
    r"|get outlook for (?:ios|android)"
    r"|sent from yahoo mail[\w .-]{0,40}"
    r"|sent from (?:proton ?mail|fastmail|aol|gmail)[\w .-]{0,40}"
    r"|von meinem [\w .-]{1,40} gesendet"
    r"|envoyé de mon [\w .-]{1,40})"
    r"\W*(?:<https?://[^>\s]+>)?\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?=[\s/>])[^<>]*>")
_IMAGE_PLACEHOLDER = re.compile(r"\[(?:cid:[^\]\s]{1,200}|image: [^\]\n]{0,200})\]")  # inline images in plain text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")

# Elements that hold the quoted mail: removed, and for the "after" ones everything that follows.
_QUOTE_XPATH = ("//*[contains(@class, 'gmail_quote') or contains(@class, 'gmail_signature')"
                " or @data-smartmail='gmail_signature' or contains(@class, 'moz-signature')"
                " or contains(@class, 'yahoo_quoted') or @id='Signature' or @id='ms-outlook-mobile-signature'"
                " or (local-name()='blockquote' and translate(@type, 'CITE', 'cite')='cite')]")
_QUOTE_AFTER_XPATH = "//*[@id='divRplyFwdMsg' or @id='appendonsend' or @id='mail-editor-reference-message-container']"
_CITE_PREFIX_XPATH = "//*[contains(@class, 'moz-cite-prefix')]"
_DROPPED_TAGS = ("head", "style", "script", "title", "meta", "link", "template", "noscript", "object", "iframe")


def new_text(message: Message) -> str:
    """The reader's new text in a mail as comment markup; "" when it holds nothing new."""
    try:
        plain, markup = _bodies(message, 0)
        if any(text.strip() for text in plain):
            return _plain_reply("\n\n".join(plain)[:MAX_PLAIN_CHARACTERS])
        if markup:
            return _html_reply("\n".join(markup)[:MAX_HTML_CHARACTERS])
    except Exception:  # whatever broke, a mail too broken to read has nothing new to say
        pass
    return ""


def _bodies(part: Message, depth: int) -> tuple[list[str], list[str]]:
    """The texts of the mail's plain and HTML bodies, attachments, images and attached mails left out."""
    if depth > MAX_DEPTH or _is_attachment(part):
        return [], []
    kind = part.get_content_type()
    if kind.startswith("message/"):
        return [], []
    if kind.startswith("multipart/"):
        children = [_bodies(child, depth + 1) for child in part.get_payload()] if part.is_multipart() else []
        if kind == "multipart/alternative":  # one body in several forms: the first plain, the richest HTML
            return (next((plain for plain, _ in children if plain), []),
                    next((markup for _, markup in reversed(children) if markup), []))
        return [text for plain, _ in children for text in plain], [text for _, markup in children for text in markup]
    if kind == "text/plain":
        text = _decoded(part)
        if (part.get_param("format") or "").lower() == "flowed":
            text = unflow(text, delsp=(part.get_param("delsp") or "").lower() == "yes")
        return [text], []
    if kind == "text/html":
        return [], [_decoded(part)]
    return [], []


def _is_attachment(part: Message) -> bool:
    """Attached files, inline ones with a name too (a text file shown in the mail is not its text)."""
    if part.get_content_maintype() == "multipart":
        return False
    named = part.get_param("name") or part.get_param("filename", header="content-disposition")
    return part.get_content_disposition() == "attachment" or bool(named)


def _decoded(part: Message) -> str:
    """A part's content as text, whatever its transfer encoding and charset (or lack of one)."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    return decode_bytes(data, part.get_content_charset())


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the charset a mail names; UTF-8 (or Windows-1252) when it names none or an unknown one."""
    if charset and charset not in ("us-ascii", "ascii"):
        try:
            return data.decode(charset, "replace")
        except (LookupError, ValueError, TypeError):
            pass  # not a charset Python knows, or not a text encoding at all ("base64")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def unflow(text: str, delsp: bool = False) -> str:
    """Plain text sent as format=flowed (RFC 3676) with its soft line breaks joined."""
    out: list[str] = []
    paragraph, paragraph_depth = None, 0
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):  # space-stuffing
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if paragraph is not None and depth == paragraph_depth:
            paragraph += content
        else:
            if paragraph is not None:  # a flowed line the next one does not continue ends here
                out.append(_quoted(paragraph, paragraph_depth))
            paragraph, paragraph_depth = content, depth
        if not flowed:
            out.append(_quoted(paragraph, paragraph_depth))
            paragraph = None
    if paragraph is not None:
        out.append(_quoted(paragraph, paragraph_depth))
    return "\n".join(out)


def _quoted(text: str, depth: int) -> str:
    return f"{'>' * depth} {text}" if depth else text


def _plain_reply(text: str) -> str:
    """The new text of a plain text body, with tags the comment box does not allow taken out."""
    lines = _new_lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), as_html=False)
    kept = "\n".join(line.rstrip() for line in lines)
    kept = _IMAGE_PLACEHOLDER.sub("", kept)
    kept = _TAG_NAME.sub(lambda m: m.group(0) if m.group(1).lower() in COMMENT_TAGS else "", kept)
    return _finish(kept)


def _html_reply(markup: str) -> str:
    """The new text of an HTML body: quote elements removed, then as comment markup, then as plain text."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    _prune(root)
    body = root.find("body")
    text = comment_text_from_html(lxml.html.tostring(body if body is not None else root, encoding="unicode"))
    lines = _new_lines([line.strip() for line in text.split("\n")], as_html=True)
    return _finish("\n".join(lines))


def _finish(text: str) -> str:
    text = _CONTROL.sub("", text)
    text = re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", text).strip()
    return text[:MAX_REPLY_CHARACTERS].rstrip()


def _prune(root) -> None:
    """Take out of an HTML body what is not the reader's new text (quotes, signatures, styles)."""
    for element in [*root.iter(*_DROPPED_TAGS)]:
        _drop(element)
    for element in root.xpath(_CITE_PREFIX_XPATH):
        if _text_before(element):
            _drop_from(element)
        else:  # the reader wrote below the quote: only the quote goes
            _drop(element)
    for element in root.xpath(_QUOTE_AFTER_XPATH):
        _drop_from(element)
    for element in root.xpath(_QUOTE_XPATH):
        _drop(element)
    for element in root.iter():
        if element.tag in ("pre", "textarea") or any(a.tag == "pre" for a in element.iterancestors()):
            continue
        # Line breaks in HTML source are spaces; left in they would become line breaks in the comment.
        element.text = _HTML_SPACE.sub(" ", element.text) if element.text else element.text
        element.tail = _HTML_SPACE.sub(" ", element.tail) if element.tail else element.tail


def _text_before(element) -> bool:
    return any(text.strip() for text in element.xpath("preceding::text()"))


def _drop(element) -> None:
    if element.getparent() is not None:
        element.drop_tree()


def _drop_from(element) -> None:
    """Remove the element and everything after it in the document."""
    node = element
    while node is not None and node.getparent() is not None and node.tag != "body":
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)  # with its tail: the text after it goes too
        node.tail = None
        node = parent
    _drop(element)


def _visible(line: str, as_html: bool) -> str:
    """A line as the reader sees it: in comment markup, without tags and entities."""
    if as_html:
        line = html.unescape(_TAG.sub("", line))
    return line.strip().replace("\xa0", " ")


def _new_lines(lines: list[str], *, as_html: bool) -> list[str]:
    """The lines the reader wrote: up to the quote (or after it, when they wrote below it),
    without their signature and the client's boilerplate."""
    seen = [_visible(line, as_html) for line in lines]
    start, end = 0, len(lines)
    while (cut := _quote_start(seen, start)) is not None:
        header_start, header_end, quote_follows = cut
        after = _after_quote(seen, header_end)
        if quote_follows and not any(seen[start:header_start]) and any(seen[header_end:after]):
            start = after  # answered below the quote: read on after it
            continue
        end = header_start
        break
    end = next((i for i in range(start, end) if seen[i] == "--" or lines[i].rstrip("\r\n") == "-- "), end)
    start, end = _trimmed(seen, start, end)
    return lines[start:end]


def _trimmed(seen: list[str], start: int, end: int) -> tuple[int, int]:
    """Where the text starts and ends without quotes around it, client lines ("Sent from my iPhone") and rules;
    a quote's unrecognised header line ("Den 7 dec. 2026 skrev Ada:") goes with its quote."""
    quote_seen = False
    while end > start:
        line = seen[end - 1]
        if line.startswith(">"):
            quote_seen = True
        elif line and not (_RULE.match(line) or _CLIENT_LINE.match(line)) and not (
                quote_seen and _looks_like_header(line)):
            break
        end -= 1
    while start < end and (not seen[start] or seen[start].startswith(">")):
        start += 1
    return start, end


def _looks_like_header(line: str) -> bool:
    return line.endswith(":") and bool(re.search(r"[\d@]", line)) and len(line) <= 400


def _quote_start(seen: list[str], start: int) -> tuple[int, int, bool] | None:
    """Where the quoted mail starts, from the line `start` on: (first line of its header, the line
    after the header, whether ">" quoted lines follow), or None when nothing is quoted."""
    for i in range(start, len(seen)):
        line = seen[i]
        if not line:
            continue
        if any(marker in line.lower() for marker in _MARKERS):
            return _header_before(seen, i, start), i, line.startswith(">")
        if line.startswith(">"):
            continue
        if _is_wrote(line):
            return i, i + 1, True
        if i + 1 < len(seen) and _WROTE_START.match(line) and _is_wrote(f"{line} {seen[i + 1]}"):
            return i, i + 2, True
        if _ORIGINAL.match(line) or _FORWARDED.match(line):
            return i, i + 1, False
        if _is_header_block(seen, i):
            return _rule_before(seen, i, start), i + 1, False
    return None


def _is_wrote(line: str) -> bool:
    return len(line) <= 400 and any(pattern.match(line) for pattern in _WROTE)


def _header_before(seen: list[str], i: int, start: int) -> int:
    """The marker line, or the quote header just above it ("On ... wrote:" in any language: a line
    ending with a colon that names a date or an address)."""
    j = i - 1
    while j >= start and not seen[j]:
        j -= 1
    if j >= start and not seen[j].startswith(">") and _looks_like_header(seen[j]):
        if j - 1 >= start and seen[j - 1] and _WROTE_START.match(seen[j - 1]) and \
                _is_wrote(f"{seen[j - 1]} {seen[j]}"):
            return j - 1
        return j
    return i


def _is_header_block(seen: list[str], i: int) -> bool:
    """Outlook's "From: / Sent: / To: / Subject:" block over the quoted mail."""
    if not _FROM_FIELD.match(seen[i].lstrip("*")):
        return False
    following = [line.lstrip("*") for line in seen[i + 1:i + 7]]
    return any(_SENT_FIELD.match(line) for line in following) and any(_TO_FIELD.match(line) for line in following)


def _rule_before(seen: list[str], i: int, start: int) -> int:
    """The header block's first line, or the rule or "Original Message" line just above it."""
    j = i - 1
    while j >= start and (not seen[j] or _RULE.match(seen[j]) or _ORIGINAL.match(seen[j])):
        j -= 1
    return j + 1 if any(seen[j + 1:i]) else i


def _after_quote(seen: list[str], i: int) -> int:
    while i < len(seen) and (not seen[i] or seen[i].startswith(">")):
        i += 1
    return i
