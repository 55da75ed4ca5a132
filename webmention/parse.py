"""Reading a mention's source page: whether it links the target, and what it says (microformats2:
the h-entry, its author's h-card, in-reply-to, like-of, repost-of).

A hostile page can be built to be slow to parse. It is scanned first with lxml's event parser,
which builds no tree and so stays linear (a tree takes time in the square of an element's
attribute count); a page nested deeper than any real one is refused before mf2py, whose tree
walk recurses once per level.
"""

import html
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import mf2py

from blog.permalinks import origin
from blog.remote_replies import RemoteAuthor
from core.clean_input import host_of, web_address

MAX_DEPTH = 100  # real pages nest far less; mf2py's recursion fails near 250
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "area": "href", "base": "href"}
KIND_PROPERTIES = (("like", "like-of"), ("repost", "repost-of"), ("reply", "in-reply-to"))
MENTION_EXCERPT = 300  # characters of a mentioning page's text shown as the comment


class UnreadableSource(Exception):
    """The source cannot be read as HTML within the limits; the message says why."""


@dataclass
class _Scan:
    """lxml parser target: how deep elements nest, and the addresses of links and images."""

    depth: int = 0
    deepest: int = 0
    base: str = ""
    title: str = ""
    links: list[str] = field(default_factory=list)
    _in_title: bool = False

    def start(self, tag, attrib) -> None:
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        self._in_title = tag == "title" and not self.title
        name = LINK_ATTRIBUTES.get(str(tag).lower())
        value = attrib.get(name) if name else None
        if value is None:
            return
        if tag == "base":
            self.base = self.base or value.strip()
        else:
            self.links.append(value.strip())

    def end(self, _tag) -> None:
        self.depth -= 1
        self._in_title = False

    def data(self, text) -> None:
        if self._in_title and len(self.title) < 500:
            self.title += text

    def close(self) -> "_Scan":
        return self


def comparable(url: str) -> tuple:
    """A URL as mentions compare them: fragment dropped, scheme and host lower-cased, default port
    (a malformed one compares equal to nothing but itself)."""
    parts = web_address(url.strip())
    return (origin(url), parts.path or "/", parts.query) if parts else (None, url, None)


@dataclass(frozen=True)
class Source:
    """What a source page says about the target."""

    kind: str  # "reply", "like", "repost" or "mention"
    author: RemoteAuthor
    html: str  # the reply's content (HTML), or the text of a mention


def scan(text: str, url: str) -> _Scan:
    """The page's links (absolute) and nesting, read without building a tree; UnreadableSource
    when it nests deeper than MAX_DEPTH."""
    found = lxml.etree.fromstring(text or "<html></html>", lxml.etree.HTMLParser(target=_Scan(), recover=True,
                                                                                   no_network=True))
    if found.deepest > MAX_DEPTH:
        raise UnreadableSource(f"the page nests more than {MAX_DEPTH} elements deep")
    base = urljoin(url, found.base) if found.base else url
    found.links = [joined for link in found.links if (joined := _joined(base, link))]
    return found


def _joined(base: str, link: str) -> str | None:
    """The link made absolute, or None for one too malformed to read: one broken href on a page
    must not make the page unreadable."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _urls(values: list) -> list[str]:
    """The URLs of a property's values: plain strings, or h-cite objects (their url, or value)."""
    urls = []
    for value in values:
        if isinstance(value, dict):
            urls.extend(v for v in value.get("properties", {}).get("url", []) if isinstance(v, str))
            if isinstance(value.get("value"), str):
                urls.append(value["value"])
        elif isinstance(value, str):
            urls.append(value)
    return urls


def _entries(items: list) -> list[dict]:
    """h-entry items at the top level and in h-feeds, in page order."""
    found = []
    for item in items:
        if "h-entry" in item.get("type", []):
            found.append(item)
        elif "h-feed" in item.get("type", []):
            found.extend(_entries(item.get("children", [])))
    return found


def _text(value) -> str:
    """A property value as plain text (mf2py gives some as {"value": ...})."""
    if isinstance(value, dict):
        value = value.get("value", "")
    return value.strip() if isinstance(value, str) else ""


def _card(value, page_url: str) -> RemoteAuthor | None:
    """An h-card (or a bare name or URL) as a RemoteAuthor."""
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return RemoteAuthor(name=host_of(value), url=value)
        return RemoteAuthor(name=value.strip()) if value.strip() else None
    if not isinstance(value, dict) or "h-card" not in value.get("type", []):
        return None
    props = value.get("properties", {})
    first = {name: _text((props.get(name) or [""])[0]) for name in ("name", "url", "photo")}
    url, photo = (urljoin(page_url, first[n]) if first[n] else "" for n in ("url", "photo"))
    return RemoteAuthor(name=first["name"] or host_of(url or page_url), url=url, photo=photo)


def _representative_card(parsed: dict, page_url: str) -> RemoteAuthor | None:
    """The page's representative h-card (microformats.org's algorithm, in short): one whose url is
    the page, or one whose url is a rel=me link, or the only h-card on the page."""
    cards = [item for item in parsed.get("items", []) if "h-card" in item.get("type", [])]
    me = {comparable(url) for url in parsed.get("rels", {}).get("me", [])}
    for card in cards:
        urls = {comparable(url) for url in _urls(card.get("properties", {}).get("url", []))}
        if comparable(page_url) in urls or urls & me:
            return _card(card, page_url)
    return _card(cards[0], page_url) if len(cards) == 1 else None


def _kind(entry: dict, target: str) -> str:
    """"like", "repost" or "reply" when the entry says so of the target, else "mention"."""
    props = entry.get("properties", {})
    wanted = comparable(target)
    for kind, name in KIND_PROPERTIES:
        if any(comparable(url) == wanted for url in _urls(props.get(name, []))):
            return kind
    return "mention"


def _entry_for(entries: list[dict], target: str) -> dict | None:
    """The h-entry that replies to, likes or reposts the target; else the page's first one."""
    for entry in entries:
        if _kind(entry, target) != "mention":
            return entry
    return entries[0] if entries else None


def _content(entry: dict, kind: str) -> str:
    """A reply's e-content HTML; for the others (or a reply without it) the summary, or the title
    and the start of the text."""
    props = entry.get("properties", {})
    if kind == "reply":
        content = (props.get("content") or [None])[0]
        if isinstance(content, dict) and content.get("html", "").strip():
            return content["html"]
        if isinstance(content, str) and content.strip():
            return html.escape(content)
    summary, name, content = (" ".join(_text((props.get(key) or [""])[0]).split())
                              for key in ("summary", "name", "content"))
    if summary or not content:
        return html.escape(summary or name)
    excerpt = textwrap.shorten(content, MENTION_EXCERPT, placeholder=" …")
    return html.escape(f"{name}: {excerpt}" if name and not content.startswith(name) else excerpt)


def read_source(text: str, url: str, target: str) -> Source | None:
    """What the page at `url` says about `target`, or None when it does not link it.
    Raises UnreadableSource for a page built to be slow to read."""
    scanned = scan(text, url)
    try:
        parsed = mf2py.parse(doc=text, url=url, html_parser="lxml")
    except (RecursionError, ValueError, TypeError) as error:
        raise UnreadableSource(f"its microformats could not be read ({type(error).__name__})") from None
    entry = _entry_for(_entries(parsed.get("items", [])), target)
    kind = _kind(entry, target) if entry else "mention"
    wanted = comparable(target)
    if kind == "mention" and not any(comparable(link) == wanted for link in scanned.links):
        return None
    author = None
    if entry:
        author = _card((entry.get("properties", {}).get("author") or [None])[0], url)
    author = author or _representative_card(parsed, url) or RemoteAuthor(name=host_of(url), url=_home(url))
    said = (_content(entry, kind) if entry else "") or html.escape(" ".join(scanned.title.split()))
    return Source(kind=kind, author=author, html=said or html.escape(f"Mentioned this post at {url}"))


def _home(url: str) -> str:
    """The site's home page: an author known by nothing but the domain links there."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
