"""Read a WXR file incrementally into plain records, keeping memory flat.

lxml's iterparse builds the tree as it reads; each top-level record (author, term, item) is
turned into a dataclass as soon as its closing tag is read and then cut from the tree.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import BinaryIO

from lxml import etree

from core.i18n import gettext as _

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/([^/]+)/$")
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
NO_DATE = "0000-00-00 00:00:00"
# The postmeta the importer reads; plugins store big values under other keys, left unread.
KEPT_META = ("_thumbnail_id", "_wp_attached_file", "_wp_attachment_image_alt", "_wp_attachment_metadata")


class WXRError(Exception):
    """A file this importer cannot read; the message names the line where it went wrong."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        self.reason = message
        super().__init__(_("line %(line)s: %(message)s", line=line, message=message) if line else message)


@dataclass(slots=True)
class WXRAuthor:
    line: int
    wp_id: int | None
    login: str
    email: str
    display_name: str


@dataclass(slots=True)
class WXRTerm:
    line: int
    taxonomy: str  # WordPress's name: "category", "post_tag", "nav_menu", ...
    slug: str
    name: str
    parent_slug: str
    description: str


@dataclass(slots=True)
class WXRComment:
    line: int
    wp_id: int
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: datetime | None
    date_gmt: datetime | None
    content: str
    approved: str
    type: str
    parent: int
    user_id: int


@dataclass(slots=True)
class WXRItem:
    line: int
    wp_id: int
    title: str
    creator: str
    guid: str
    content: str
    excerpt: str
    post_date: datetime | None
    post_date_gmt: datetime | None
    modified_gmt: datetime | None
    comment_status: str
    post_name: str
    status: str
    post_parent: int
    post_type: str
    password: str
    menu_order: int = 0  # a page's place among its siblings
    sticky: bool = False  # wp:is_sticky: first on the home page
    # (domain, nicename, name) of each <category> element
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    comments: list[WXRComment] = field(default_factory=list)
    # wp:postmeta key -> value for the KEPT_META keys (the last one of a key wins)
    meta: dict[str, str] = field(default_factory=dict)
    attachment_url: str = ""  # wp:attachment_url, an attachment's file on the old site


@dataclass(slots=True)
class WXRSite:
    line: int
    base_site_url: str  # wp:base_site_url, where the old site's wp-content/uploads lives


@dataclass(slots=True)
class WXRLanguage:
    line: int
    tag: str  # the channel's <language>, as WordPress writes it: "de-DE", "en-US"


Record = WXRAuthor | WXRTerm | WXRItem | WXRSite | WXRLanguage


def _text(elem) -> str:
    """All of an element's text: an entity the file declares itself splits .text in two.

    Entities stay unexpanded (no amplification); a known HTML name (&nbsp;) becomes its
    character and any other stays as written, so no text after it is lost.
    """
    parts = [elem.text or ""]
    for child in elem:
        parts.append(unescape(child.text) if child.tag is etree.Entity else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _int(value: str, name: str, line: int) -> int:
    value = value.strip()
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise WXRError(_("%(name)s should be a number, not %(value)s", name=name, value=repr(value)), line) from None


def _date(value: str, name: str, line: int) -> datetime | None:
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise WXRError(
            _("%(name)s should be a date like 2024-03-04 09:00:00, not %(value)s", name=name, value=repr(value)),
            line,
        ) from None


class _Reader:
    """Turns iterparse events into records; knows the file's WordPress namespace."""

    def __init__(self):
        self.wp = None  # "{http://wordpress.org/export/1.2/}"
        self.excerpt = None
        self.comments: list[WXRComment] = []  # the current item's, read and cut from the tree

    def check_root(self, root) -> None:
        if root.tag != "rss":
            raise WXRError(
                _("this is not a WordPress export: the document is <%(tag)s>, not <rss>", tag=root.tag),
                root.sourceline,
            )
        uris = [uri for uri in root.nsmap.values() if uri and WP_NAMESPACE.match(uri)]
        if not uris:
            raise WXRError(
                _("this is not a WordPress export: the WordPress namespace "
                  '(xmlns:wp="http://wordpress.org/export/1.2/") is missing'),
                root.sourceline,
            )
        uri = root.nsmap.get("wp") or uris[0]
        version = WP_NAMESPACE.match(uri).group(1)
        if version not in SUPPORTED_VERSIONS:
            raise WXRError(
                _("unknown WordPress export namespace %(uri)s (WXR %(version)s); this importer reads WXR "
                  "%(supported)s", uri=uri, version=version, supported=", ".join(SUPPORTED_VERSIONS)),
                root.sourceline,
            )
        self.wp = "{" + uri + "}"
        self.excerpt = "{" + (root.nsmap.get("excerpt") or uri + "excerpt/") + "}"

    def author(self, elem) -> WXRAuthor:
        wp, line = self.wp, elem.sourceline
        f = {child.tag: _text(child) for child in elem}
        login = f.get(f"{wp}author_login", "").strip()
        if not login:
            raise WXRError(_("an author has no wp:author_login"), line)
        return WXRAuthor(
            line=line,
            wp_id=_int(f.get(f"{wp}author_id", ""), "wp:author_id", line) or None,
            login=login,
            email=f.get(f"{wp}author_email", "").strip(),
            display_name=f.get(f"{wp}author_display_name", "").strip() or login,
        )

    def term(self, elem, kind: str) -> WXRTerm:
        wp, line = self.wp, elem.sourceline
        f = {child.tag: _text(child) for child in elem}
        if kind == "category":
            taxonomy, slug, name = "category", f"{wp}category_nicename", f"{wp}cat_name"
            parent, description = f"{wp}category_parent", f"{wp}category_description"
        elif kind == "tag":
            taxonomy, slug, name = "post_tag", f"{wp}tag_slug", f"{wp}tag_name"
            parent, description = None, f"{wp}tag_description"
        else:
            taxonomy = f.get(f"{wp}term_taxonomy", "").strip()
            slug, name = f"{wp}term_slug", f"{wp}term_name"
            parent, description = f"{wp}term_parent", f"{wp}term_description"
        term = WXRTerm(
            line=line,
            taxonomy=taxonomy,
            slug=f.get(slug, "").strip(),
            name=f.get(name, ""),
            parent_slug=f.get(parent, "").strip() if parent else "",
            description=f.get(description, ""),
        )
        if not term.slug:
            raise WXRError({"category": _("a category has no slug"), "tag": _("a tag has no slug")}.get(
                kind, _("a term has no slug")), line)
        return term

    def comment(self, elem) -> WXRComment:
        wp, line = self.wp, elem.sourceline
        f = {child.tag: _text(child) for child in elem}
        get = lambda name: f.get(f"{wp}comment_{name}", "")  # noqa: E731
        wp_id = _int(get("id"), "wp:comment_id", line)
        if not wp_id:
            raise WXRError(_("a comment has no wp:comment_id"), line)
        return WXRComment(
            line=line,
            wp_id=wp_id,
            author=get("author"),
            author_email=get("author_email").strip(),
            author_url=get("author_url").strip(),
            author_ip=get("author_IP").strip(),
            date=_date(get("date"), "wp:comment_date", line),
            date_gmt=_date(get("date_gmt"), "wp:comment_date_gmt", line),
            content=get("content"),
            approved=get("approved").strip(),
            type=get("type").strip(),
            parent=_int(get("parent"), "wp:comment_parent", line),
            user_id=_int(get("user_id"), "wp:comment_user_id", line),
        )

    def item(self, elem) -> WXRItem:
        wp, line = self.wp, elem.sourceline
        f: dict[str, str] = {}
        terms, comments, meta = [], self.comments, {}
        self.comments = []
        for child in elem:
            if child.tag == "category":
                domain = child.get("domain", "category")
                terms.append((domain, (child.get("nicename") or "").strip(), _text(child)))
            elif child.tag == f"{wp}comment":
                comments.append(self.comment(child))
            elif child.tag == f"{wp}postmeta":
                pair = {grand.tag: _text(grand) for grand in child}
                if (key := pair.get(f"{wp}meta_key", "").strip()) in KEPT_META:
                    meta[key] = pair.get(f"{wp}meta_value", "")
            else:
                f[child.tag] = _text(child)
        wp_id = _int(f.get(f"{wp}post_id", ""), "wp:post_id", line)
        if not wp_id:
            raise WXRError(_("an item has no wp:post_id"), line)
        return WXRItem(
            line=line,
            wp_id=wp_id,
            title=f.get("title", ""),
            creator=f.get(f"{DC_NS}creator", "").strip(),
            guid=f.get("guid", "").strip(),
            content=f.get(f"{CONTENT_NS}encoded", ""),
            excerpt=f.get(f"{self.excerpt}encoded", ""),
            post_date=_date(f.get(f"{wp}post_date", ""), "wp:post_date", line),
            post_date_gmt=_date(f.get(f"{wp}post_date_gmt", ""), "wp:post_date_gmt", line),
            modified_gmt=_date(f.get(f"{wp}post_modified_gmt", ""), "wp:post_modified_gmt", line),
            comment_status=f.get(f"{wp}comment_status", "open").strip(),
            post_name=f.get(f"{wp}post_name", "").strip(),
            status=f.get(f"{wp}status", "").strip(),
            post_parent=_int(f.get(f"{wp}post_parent", ""), "wp:post_parent", line),
            post_type=f.get(f"{wp}post_type", "post").strip() or "post",
            password=f.get(f"{wp}post_password", ""),
            menu_order=_int(f.get(f"{wp}menu_order", ""), "wp:menu_order", line),
            sticky=f.get(f"{wp}is_sticky", "0").strip() == "1",
            terms=terms,
            comments=comments,
            meta=meta,
            attachment_url=f.get(f"{wp}attachment_url", "").strip(),
        )

    def record(self, elem) -> Record | None:
        """The record an element closes, or None for elements read as part of a bigger one."""
        tag = elem.tag
        if tag == "item":
            return self.item(elem)
        if tag == "language":  # the channel's; an item has none
            return WXRLanguage(elem.sourceline, _text(elem).strip())
        if not tag.startswith(self.wp):
            return None
        name = tag[len(self.wp) :]
        if name == "wxr_version":
            version = _text(elem).strip()
            if version not in SUPPORTED_VERSIONS:
                raise WXRError(
                    _("unknown WXR version %(version)s; this importer reads %(supported)s",
                      version=repr(version), supported=", ".join(SUPPORTED_VERSIONS)),
                    elem.sourceline,
                )
            return None
        if name == "author":
            return self.author(elem)
        if name == "base_site_url":
            return WXRSite(elem.sourceline, _text(elem).strip())
        if name in ("category", "tag", "term"):
            return self.term(elem, name)
        return None


def read_wxr(source: BinaryIO) -> Iterator[Record]:
    """Yield the authors, terms and items of a WXR file in file order; raise WXRError."""
    reader = _Reader()
    events = etree.iterparse(
        source,
        events=("end",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,  # long posts; entity expansion stays off, so no amplification risk
        remove_comments=True,
    )
    try:
        for _event, elem in events:
            if reader.wp is None:
                reader.check_root(elem.getroottree().getroot())
            parent = elem.getparent()
            if parent is not None and parent.tag == "item" and elem.tag == f"{reader.wp}comment":
                # An item can hold tens of thousands of comments: keep records, not their trees.
                reader.comments.append(reader.comment(elem))
                parent.remove(elem)
                continue
            if parent is None or parent.tag != "channel":
                continue
            record = reader.record(elem)
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del parent[0]
            if record is not None:
                yield record
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error, _last_line(source)) from None


def _last_line(source) -> int | None:
    """The file's number of lines, counted only once a read has failed; None if unknowable."""
    try:
        source.seek(0)
        lines = 1
        while chunk := source.read(1 << 20):
            lines += chunk.count(b"\n")
        return lines
    except (AttributeError, OSError, ValueError):
        return None


def _syntax_error(error: etree.XMLSyntaxError, last_line: int | None) -> WXRError:
    # libxml2's own words, without the position it repeats at their end: we say it once, in front.
    said = re.sub(r",? line \d+, column \d+$", "", error.msg or str(error))
    if error.lineno == 0:
        return WXRError(_("the file is empty or is not XML (%(error)s)", error=said), 1)
    message = said
    if last_line is not None and error.lineno >= last_line or "Premature end" in said:
        message = _("the file ends in the middle of the export: is it truncated? (%(error)s)", error=said)
    if "encoding" in said.lower() or "Invalid bytes" in said:
        message = _("%(error)s (the file's bytes do not match its declared encoding)", error=message)
    return WXRError(message, error.lineno)
