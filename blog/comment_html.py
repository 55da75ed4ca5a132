"""The comment list's markup, built in Python: it is the hot loop of the post page.

A Jinja macro per comment costs several times more than this for a 200-comment page
(bench/comment_list_jinja.py renders both), so the list is assembled here, in the markup of
WordPress's Walker_Comment (HTML5 style): li#comment-N with WordPress's classes,
article.comment-body, footer.comment-meta, div.comment-author.vcard, div.comment-metadata,
div.comment-content and div.reply, so a WordPress theme's comment CSS applies.
Every value is escaped by markupsafe and every comment text sanitized by render_comment.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import unescape

from flask_babel import get_locale
from markupsafe import Markup, escape

from blog.avatars import comment_avatar_url, identicon_key
from blog.permalinks import blog_timezone
from blog.rendering import render_comment, web_link
from blog.threads import ThreadNode, build_threads
from core.clean_input import host_of
from core.dates import ENGLISH, compiled
from core.i18n import gettext as _
from core.i18n import ngettext

# The memo sizes below are a memory budget as much as a speed one: every worker keeps them full for
# its whole life. The list memo is per rows read, so the classes that depend on a comment's place
# (even/odd, thread-even/odd, depth, parent) are right in it; the per-comment memos hold none of them.
# Every memo is keyed on the language too: the markup holds words ("Reply", "says:").

# "March 4, 2024 at 10:04 AM" without strftime, which is the slowest step of each comment.
COMMENT_DATE = "%B %-d, %Y at %-I:%M %p"  # its format, which core.dates writes in other languages
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
AVATAR_SIZE = 40  # what the theme shows; WordPress names it in the avatar's class (avatar-40)
_AVATAR_SIZES = f'width="{AVATAR_SIZE}" height="{AVATAR_SIZE}"'
FLAT = -1  # max_depth when threading is off: every comment at the top level, in date order
# WordPress's $comment_alt over every comment shown, and $comment_thread_alt over the top-level ones.
_PARITY = ("even", "odd alt")
_THREAD_PARITY = (" thread-even", " thread-odd thread-alt")


# Microformats2 classes go on a reply to a remote comment only: the other site reads that reply (our
# Webmention's source) as an h-entry answering its page. The rest keep WordPress's markup, and weight.
# (article, author block, avatar, name, website link, permalink, date) for each case.
_CLASSES = {
    False: ("comment-body", "comment-author vcard", f"avatar avatar-{AVATAR_SIZE} photo", "fn", "url", "", ""),
    True: ("comment-body h-entry", "comment-author vcard p-author h-card", f"avatar avatar-{AVATAR_SIZE} photo u-photo",
           "fn p-name", "url u-url", ' class="u-url"', ' class="dt-published"'),
}
_LOGIN_NOTE = '<span class="like-login-note" role="status" data-like-note></span>'  # filled by likes.js


@dataclass(frozen=True)
class CommentLikes:
    """A logged-in reader's part of the comment list: what they liked, their CSRF token, and where an
    Edit link takes them when they may moderate the post's comments."""

    liked_ids: frozenset[int]
    csrf_token: str
    script_root: str = ""  # where the app is mounted: the like forms' actions start with it
    edit_url: tuple[str, str] | None = None  # a comment's edit screen, split where its id goes


@dataclass(frozen=True)
class _LikeSlot:
    """Where a comment's Like form goes in the shared list: both states, split where the token goes."""

    comment_id: int
    heads: tuple[str, str]  # (not liked, liked): up to the token
    tails: tuple[str, str]  # (not liked, liked): after the token
    guest: str  # what a logged-out reader sees instead: the count alone


@dataclass(frozen=True)
class _EditSlot:
    """Where a comment's Edit link goes in the shared list (WordPress's, after its date): the link
    around the comment's edit URL, for a reader who may moderate it."""

    comment_id: int
    head: str
    tail: str
    guest: str = ""  # everyone else sees nothing here


def render_comment_list(rows: tuple, settings: dict, replies_open: bool, static_avatar: str,
                        likes: CommentLikes | None = None, post_author_id: int | None = None,
                        own_ids: frozenset[int] = frozenset(), script_root: str = "") -> Markup:
    """The <li> items of ol.comment-list for these comment rows, replies nested in ol.children.

    A comment by a logged-in user is marked as WordPress marks it (li.byuser and
    li.comment-author-<name>); one by the post's author (its user is the post's author_id) also
    li.bypostauthor and an "Author" badge, which no guest's comment can show whatever name it gives.

    The markup is memoized on the rows just read and the settings it shows, and is the same for
    every reader: the comments are still read from the database on every request, only the same
    markup is not built twice. A logged-out reader sees each comment's like count; a logged-in one
    (`likes`) a Like form per approved comment, set to what they liked, with their CSRF token, and
    an Edit link on each comment when `likes.edit_url` says they may moderate them. The comments
    in `own_ids` (the reader's own, still in their edit window) get the reader's Edit and Delete
    links; the readers who have any never get the page cache's shared copy (blog.commenters).
    """
    zone = blog_timezone()
    zone = None if zone.key == "UTC" else zone  # stored times are UTC already
    shown = (int(settings["thread_comments_depth"]) if settings["thread_comments"] else FLAT,
             settings["show_avatars"], settings["avatar_source"], replies_open, static_avatar, zone,
             identicon_key(), post_author_id)
    language = _language()
    if likes is None and not own_ids:
        return _memoized_list(rows, shown, language)
    root = likes.script_root if likes else script_root
    return Markup(_for_reader(_memoized_parts(rows, shown, root, language), likes, own_ids, root, language))


def _language() -> str:
    """The language the list is written in (the request's)."""
    return str(get_locale())


@lru_cache(maxsize=8)  # the hottest comment pages; any other page builds its list from the cached heads
def _memoized_list(rows: tuple, shown: tuple, language: str) -> Markup:
    return Markup("".join(part if part.__class__ is str else part.guest
                          for part in _list_parts(rows, shown, "", language)))


@lru_cache(maxsize=8)
def _memoized_parts(rows: tuple, shown: tuple, script_root: str, language: str) -> tuple:
    return tuple(_list_parts(rows, shown, script_root, language))


def _for_reader(parts: tuple, likes: CommentLikes | None, own_ids: frozenset[int], script_root: str,
                language: str) -> str:
    """The shared list with one reader's state applied: a pass over a few hundred strings, no markup built."""
    liked, token = (likes.liked_ids, str(escape(likes.csrf_token))) if likes else (frozenset(), "")
    edit_url = likes.edit_url if likes else None
    edit_head, edit_tail = edit_url or ("", "")
    out: list[str] = []
    append = out.append
    for part in parts:
        kind = part.__class__
        if kind is str:
            append(part)
        elif kind is _EditSlot:
            if edit_url:
                out += (part.head, edit_head, str(part.comment_id), edit_tail, part.tail)
            elif part.comment_id in own_ids:
                append(_own_links(part.comment_id, script_root, language))
        elif likes is None:
            append(part.guest)
        else:
            state = part.comment_id in liked
            out += (part.heads[state], token, part.tails[state])
    return "".join(out)


@lru_cache(maxsize=256)
def _own_links(comment_id: int, script_root: str, language: str) -> str:
    """The Edit and Delete links of a reader's own comment: pages without JavaScript, in place with
    it (comment-edit.js)."""
    base = f"{escape(script_root)}/comments/{comment_id}"
    edit, delete = _("Edit"), _("Delete")
    return (f'<span class="edit-link own-comment-links" data-own-comment="{comment_id}">'
            f'<a class="comment-edit-own" href="{base}/edit" data-comment-edit>{edit}</a> '
            f'<a class="comment-delete-own" href="{base}/delete" data-comment-delete>{delete}</a></span>')


def comment_like_form(comment_id: int, author_name: str | None, like_count: int, liked: bool,
                      likes: CommentLikes) -> Markup:
    """One comment's Like form, as the list shows it to this reader (likes.js swaps it in after a press)."""
    slot = _like_slot(comment_id, author_name, like_count, likes.script_root, _language())
    return Markup(slot.heads[liked] + str(escape(likes.csrf_token)) + slot.tails[liked])


def _list_parts(rows: tuple, shown: tuple, script_root: str, language: str | None = None) -> list:
    """The list as WordPress's walker writes it: past the deepest level, replies follow their parent
    at that level; even/odd count every comment in the order shown, thread-even/odd the top ones.
    Strings, with an _EditSlot after each comment's date and a _LikeSlot after each approved
    comment's text (runs of strings joined)."""
    max_depth, show_avatars, avatar_source, replies_open, static_avatar, zone, avatar_key, post_author_id = shown
    language = language or _language()
    awaiting = _("Your comment is awaiting moderation.")
    awaiting = f'<em class="comment-awaiting-moderation">{awaiting}</em>'
    settings = {"show_avatars": show_avatars, "avatar_source": avatar_source}
    roots = [ThreadNode(row) for row in rows] if max_depth == FLAT else build_threads(list(rows))
    # Replies to a remote comment name its source (u-in-reply-to), so the remote site sees a reply.
    remote_sources = {row.id: row.source_url for row in rows if row.source_url}
    parts: list = []
    run: list[str] = []
    shown_count = thread_count = 0
    # Closing tags and (node, depth) pairs, popped in document order: a reply chain of any length
    # needs no recursion.
    stack: list = [(node, 1) for node in reversed(roots)]
    while stack:
        entry = stack.pop()
        if entry.__class__ is str:
            run.append(entry)
            continue
        node, depth = entry
        c, children = node.comment, node.children
        comment_id, user_id, author_name = c.id, c.user_id, c.author_name
        approved = c.status == "approved"
        # A spam row in a list is a shadow-banned author's own (blog.commenters.own_held_ids): shown
        # to them as published, though nobody can like it or reply to it.
        looks_published = approved or c.status == "spam"
        by_post_author = user_id is not None and user_id == post_author_id
        kind = "comment" if user_id is None and c.comment_type == "comment" else \
            _kind_classes(c.comment_type, user_id, c.user_name, by_post_author)
        thread = ""
        if depth == 1:
            thread = _THREAD_PARITY[thread_count & 1]
            thread_count += 1
        deleted = c.deleted_at is not None
        classes = f'{kind} {_PARITY[shown_count & 1]}{thread} depth-{depth}{" parent" if children else ""}'
        run.append(f'<li id="comment-{comment_id}" class="{classes}{"" if looks_published else " unapproved"}'
                   f'{" comment-deleted" if deleted else ""}">')
        shown_count += 1
        if deleted:  # its replies keep their place under it; nothing of it is left to show, like or answer
            run.append(_deleted_comment(comment_id, c.created_at, zone, language))
        else:
            in_reply_to = web_link(remote_sources.get(c.parent_id, "")) if remote_sources else ""
            run.append(_comment_head(comment_id, author_name, c.author_url, c.created_at, zone,
                                     comment_avatar_url(c, settings, static_avatar, avatar_key), by_post_author,
                                     c.edited_at, _remote_origin(c.comment_type, c.author_handle, c.source_url,
                                                                 language), in_reply_to, language))
            parts += ("".join(run), _edit_slot(comment_id, author_name, language))
            # The Report link ends the metadata, after the date and any Edit link: the same link for
            # every reader, as the page cache shares the list.
            run = [(_report_link(comment_id, script_root, language) if approved else "")
                   + "</div>" + ("" if looks_published else awaiting)
                   + f'</footer><div class="comment-content{" e-content" if in_reply_to else ""}">'
                   + f'{render_comment(c.body)}</div>']
            if approved:
                parts += ("".join(run), _like_slot(comment_id, author_name, c.like_count, script_root, language))
                run = []
            elif c.like_count:  # liked before it was held again: nobody may like it now
                run.append(_like_slot(comment_id, author_name, c.like_count, script_root, language).guest)
            if replies_open and approved and depth < max_depth:
                run.append(_reply_link(comment_id, c.post_id, author_name, language))
        if not children:
            run.append("</article></li>")
        elif depth < max_depth:
            run.append('</article><ol class="children">')
            stack.append("</ol></li>")
            stack.extend((child, depth + 1) for child in reversed(children))
        else:
            run.append("</article></li>")
            stack.extend((child, depth) for child in reversed(children))
    parts.append("".join(run))
    return parts


@lru_cache(maxsize=2048)
def _like_slot(comment_id: int, author_name: str | None, like_count: int, script_root: str,
               language: str) -> _LikeSlot:
    """A comment's Like form in both states, split where the reader's CSRF token goes."""
    author = escape(author_name or _("Anonymous"))
    count = guest = ""
    if like_count:
        shown = ngettext('%(num)d<span class="screen-reader-text"> like</span>',
                         '%(num)d<span class="screen-reader-text"> likes</span>', like_count)
        count = f'<span class="comment-like-count">{shown}</span>'
        shown = ngettext("%(num)d like", "%(num)d likes", like_count)
        guest = f'<p class="comment-like-count">{shown}</p>'
    heads, tails = [], []
    for liked in (False, True):
        label = _("Liked") if liked else _("Like")
        aria_label = _("Liked comment by %(name)s", name=author) if liked else \
            _("Like comment by %(name)s", name=author)
        action = f'{escape(script_root)}/comments/{comment_id}/{"unlike" if liked else "like"}'
        heads.append(f'<form method="post" class="comment-like" id="comment-like-{comment_id}" data-likes '
                     f'data-like-form action="{action}"><input type="hidden" name="csrf_token" value="')
        tails.append(f'"><button type="submit" class="comment-like-button{" liked" if liked else ""}" '
                     f'aria-pressed="{"true" if liked else "false"}" aria-label="{aria_label}">'
                     f'{label}</button>{count}{_LOGIN_NOTE}</form>')
    return _LikeSlot(comment_id, tuple(heads), tuple(tails), guest)


@lru_cache(maxsize=2048)
def _edit_slot(comment_id: int, author_name: str | None, language: str) -> _EditSlot:
    author = escape(unescape(author_name or _("Anonymous")))
    link = _('Edit<span class="screen-reader-text"> comment by %(name)s</span>', name=author)
    return _EditSlot(comment_id, head='<span class="edit-link"><a class="comment-edit-link" href="',
                     tail=f'">{link}</a></span>')


@lru_cache(maxsize=512)
def _kind_classes(comment_type: str, user_id: int | None, user_name: str | None, by_post_author: bool) -> str:
    """The classes of a comment's <li> that do not depend on its place in the list, in WordPress's order."""
    names = [_class_name(comment_type or "") or "comment"]
    if user_id is not None:
        names += ["byuser", f"comment-author-{_class_name(_slug(user_name or '')) or user_id}"]
    if by_post_author:
        names.append("bypostauthor")
    return " ".join(names)


def _slug(name: str) -> str:
    """The name as WordPress's sanitize_title makes a nicename: accents dropped, lowercase, dashes.

    From the display name the page already shows, not from the log-in name, which no page tells.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9 _-]", "", ascii_name.replace(".", "-"))
    return re.sub(r"-+", "-", re.sub(r"\s+", "-", words.strip())).strip("-")


def _class_name(text: str) -> str:
    """What WordPress's sanitize_html_class keeps: letters, digits, _ and -."""
    return re.sub(r"[^A-Za-z0-9_-]", "", text)


@lru_cache(maxsize=2048)
def _comment_head(comment_id: int, author_name: str, author_url: str, created_at: datetime, zone,
                  avatar: str, by_post_author: bool = False, edited_at: datetime | None = None,
                  origin: str = "", in_reply_to: str = "", language: str = "") -> str:
    """The opening of a comment's article, up to its date in div.comment-metadata (the reader's Edit
    link may follow it): avatar, name (linked to the website), the post author's badge and date.

    Memoized on what it shows, as render_comment is: a popular post's comments are rendered
    once per worker, not once per request. Nothing here depends on the comment's place in the list.
    `origin` says where a remote comment came from; `in_reply_to` is the web address of the remote
    comment it answers, which also gives it microformats2 classes (_CLASSES).
    """
    # WordPress stores names HTML-escaped (a pingback's "Blog &raquo; Post"); imported ones keep
    # that form, so decode entities once before escaping. <bdi>: a right-to-left override in a
    # name must not reorder the text after it.
    name = Markup("<bdi>%s</bdi>") % unescape(author_name or _("Anonymous"))
    article, vcard, photo, fn, url, permalink, published = _CLASSES[bool(in_reply_to)]
    # Only web addresses become links: imported or provider-given URLs may hold anything.
    website = web_link(author_url)
    author = f'<a href="{escape(website)}" class="{url}" rel="ugc external nofollow">{name}</a>' if website else name
    badge = edited = ""
    if by_post_author:
        badge = _("Author")
        badge = f' <span class="comment-author-badge">{badge}</span>'
    if edited_at:
        edited = _("Edited %(time)s", time=_time(edited_at, zone, "", language))
        edited = f' <span class="comment-edited">{edited}</span>'
    says = _("says:")
    reply = f'<a class="u-in-reply-to" href="{escape(in_reply_to)}" hidden></a>' if in_reply_to else ""
    return (
        f'<article id="div-comment-{comment_id}" class="{article}"><footer class="comment-meta">'
        f'<div class="{vcard}"><img src="{escape(avatar)}" alt="" class="{photo}" {_AVATAR_SIZES}>'
        f'<b class="{fn}">{author}</b>{badge}{origin} <span class="says">{says}</span></div>'
        f'<div class="comment-metadata">{reply}'
        f'<a{permalink} href="#comment-{comment_id}">{_time(created_at, zone, published, language)}</a>{edited}'
    )


@lru_cache(maxsize=2048)
def _remote_origin(comment_type: str, handle: str | None, source_url: str | None, language: str) -> str:
    """After a remote comment's author name: their fediverse handle, and where the reply came from
    (linked when the source is a web address)."""
    if comment_type not in ("activitypub", "webmention"):
        return ""
    source = web_link(source_url)
    handle_html = ""
    if comment_type == "activitypub":
        where = _("the fediverse")
        if handle:
            handle_html = f' <span class="comment-author-handle p-nickname">{escape(handle)}</span>'
    else:
        where = escape(host_of(source)) or _("another site")
    via = f'<a class="comment-source" href="{escape(source)}" rel="nofollow ugc">{where}</a>' if source else where
    via = _("via %(source)s", source=via)
    return f'{handle_html} <span class="comment-via">{via}</span>'


def _time(moment: datetime, zone, attributes: str = "", language: str = "en") -> str:
    """<time> of a moment as WordPress writes a comment's: "March 4, 2024 at 10:04 AM" in English,
    the language's long date and short time otherwise ("4. März 2024, 10:04", compiled once per language)."""
    when = moment if zone is None else moment.astimezone(zone)
    stamp = f"{when:%Y-%m-%dT%H:%M}Z" if zone is None else when.isoformat(timespec="minutes")
    if language and language not in ENGLISH:
        return f'<time{attributes} datetime="{stamp}">{compiled(COMMENT_DATE, language)(when)}</time>'
    return (f'<time{attributes} datetime="{stamp}">{_MONTHS[when.month]} {when.day}, {when.year} at '
            f'{(when.hour - 1) % 12 + 1}:{when.minute:02d} {"AM" if when.hour < 12 else "PM"}</time>')


@lru_cache(maxsize=256)
def _deleted_comment(comment_id: int, created_at: datetime, zone, language: str) -> str:
    """What is left of a comment its author deleted while it had replies: its place and date."""
    note = _("This comment was deleted by its author.")
    return (f'<article id="div-comment-{comment_id}" class="comment-body"><footer class="comment-meta">'
            f'<div class="comment-metadata"><a href="#comment-{comment_id}">{_time(created_at, zone, "", language)}</a>'
            '</div>'
            f'</footer><div class="comment-content"><p class="comment-deleted-note"><em>{note}</em></p></div>')


@lru_cache(maxsize=2048)
def _report_link(comment_id: int, script_root: str, language: str) -> str:
    """The link to the page where a reader reports the comment (blog.spam.report_views), which quotes
    the comment: kept short, as every approved comment of the page carries one."""
    report = _("Report")
    return (f'<a class="comment-report-link" href="{escape(script_root)}/comments/{comment_id}/report" '
            f'rel="nofollow">{report}</a>')


@lru_cache(maxsize=2048)
def _reply_link(comment_id: int, post_id: int, author_name: str, language: str) -> str:
    """The no-JavaScript Reply link, with the data comment-reply.js reads to move the form instead."""
    reply_to = _("Reply to %(name)s", name=escape(unescape(author_name or _("Anonymous"))))
    reply = _("Reply")
    return (f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom={comment_id}#respond"'
            f' data-commentid="{comment_id}" data-postid="{post_id}" data-belowelement="div-comment-{comment_id}"'
            f' data-respondelement="respond" data-replyto="{reply_to}" aria-label="{reply_to}">{reply}</a></div>')
