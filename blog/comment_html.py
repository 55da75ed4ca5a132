"""The comment list's markup, built in Python: it is the hot loop of the post page.

A Jinja macro per comment costs several times more than this for a 200-comment page, so the
list is assembled here, in WordPress's markup (li#comment-N), kept lean: markup is most of the page's weight, so
styles hang on structure (ol.comment-list article footer) rather than on a class per element, with every
value escaped by markupsafe and every comment text sanitized by render_comment.
"""

from datetime import datetime
from functools import lru_cache
from html import unescape

from markupsafe import Markup, escape

from blog.avatars import comment_avatar_url, identicon_key
from blog.permalinks import blog_timezone
from blog.rendering import render_comment, web_link
from blog.threads import ThreadNode, build_threads

# The memo sizes below are a memory budget as much as a speed one: every worker keeps them full for
# its whole life. Measured per entry: a page's list with its rows ~80 KB, a comment head ~0.5 KB,
# so full they hold ~2 MB (at 32 lists and 8,192 heads they held ~7 MB of a ~75 MB worker).
# "March 4, 2024 at 10:04 AM" without strftime, which is the slowest step of each comment.
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def render_comment_list(rows: tuple, settings: dict, replies_open: bool, static_avatar: str,
                        like_widget=None, post_author_id: int | None = None) -> Markup:
    """The <li> items of ol.comment-list for these comment rows, replies nested in ol.children.

    A comment by a logged-in user is marked as WordPress marks it (li.byuser); one by staff (an
    administrator, or the post's author) also li.bypostauthor and an "Author" badge, which no
    guest's comment can show whatever name it gives.

    like_widget(comment) gives a logged-in reader's Like form; others see the count alone, and
    their list is memoized on the rows just read and the settings it shows: the comments are
    still read from the database on every request, only the same markup is not built twice.
    """
    zone = blog_timezone()
    zone = None if zone.key == "UTC" else zone  # stored times are UTC already
    shown = (int(settings["thread_comments_depth"]) if settings["thread_comments"] else 1,
             settings["show_avatars"], settings["avatar_source"], replies_open, static_avatar, zone,
             identicon_key(), post_author_id)
    if like_widget is None:
        return _memoized_list(rows, shown)
    return Markup(_list_html(rows, shown, like_widget))


@lru_cache(maxsize=8)  # the hottest comment pages; any other page builds its list from the cached heads
def _memoized_list(rows: tuple, shown: tuple) -> Markup:
    return Markup(_list_html(rows, shown, None))


def _list_html(rows: tuple, shown: tuple, like_widget) -> str:
    max_depth, show_avatars, avatar_source, replies_open, static_avatar, zone, avatar_key, post_author_id = shown
    settings = {"show_avatars": show_avatars, "avatar_source": avatar_source}
    parts: list[str] = []

    def item(node: ThreadNode, depth: int) -> None:
        c = node.comment
        staff = c.user_id is not None and (c.by_staff or c.user_id == post_author_id)
        parts.append(f'<li id="comment-{c.id}"{_classes(c.status, c.user_id is not None, staff)}>')
        parts.append(_comment_head(c.id, c.author_name, c.author_url, c.created_at, zone,
                                   comment_avatar_url(c, settings, static_avatar, avatar_key), staff))
        if c.status != "approved":
            parts.append('<em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em>')
        parts.append(f"</footer><div class=\"comment-content\">{render_comment(c.body)}</div>")
        if like_widget is not None and c.status == "approved":
            parts.append(like_widget(c))
        elif c.like_count:
            parts.append(f'<p class="comment-like-count">{c.like_count} like{"s" if c.like_count > 1 else ""}</p>')
        if replies_open and c.status == "approved" and depth < max_depth:
            parts.append(_reply_link(c.id, c.author_name))
        parts.append("</article>")
        if node.children:
            parts.append('<ol class="children">')
            for child in node.children:
                item(child, depth + 1)
            parts.append("</ol>")
        parts.append("</li>")

    for node in build_threads(list(rows)):
        item(node, 1)
    return "".join(parts)


@lru_cache(maxsize=8)
def _classes(status: str, by_user: bool, by_staff: bool) -> str:
    """The class attribute of a comment's <li>, in WordPress's names; empty for a guest's approved one."""
    names = [name for name, on in (("byuser", by_user), ("bypostauthor", by_staff),
                                   ("unapproved", status != "approved")) if on]
    return f' class="{" ".join(names)}"' if names else ""


@lru_cache(maxsize=2048)
def _comment_head(comment_id: int, author_name: str, author_url: str, created_at: datetime, zone,
                  avatar: str, staff: bool = False) -> str:
    """The opening of a comment's article: avatar, name (linked to the website), staff badge and date.

    Memoized on what it shows, as render_comment is: a popular post's comments are rendered
    once per worker, not once per request.
    """
    # WordPress stores names HTML-escaped (a pingback's "Blog &raquo; Post"); imported ones keep
    # that form, so decode entities once before escaping. <bdi>: a right-to-left override in a
    # name must not reorder the text after it.
    name = Markup("<bdi>%s</bdi>") % unescape(author_name or "Anonymous")
    # Only web addresses become links: imported or provider-given URLs may hold anything.
    website = web_link(author_url)
    author = f'<a href="{escape(website)}" rel="nofollow ugc">{name}</a>' if website else name
    badge = ' <span class="comment-author-badge">Author</span>' if staff else ""
    when = created_at if zone is None else created_at.astimezone(zone)
    stamp = f"{when:%Y-%m-%dT%H:%M}Z" if zone is None else when.isoformat(timespec="minutes")
    return (
        f'<article><footer><img src="{escape(avatar)}" alt=""><b class="fn">{author}</b>{badge} '
        f'<a href="#comment-{comment_id}"><time datetime="{stamp}">'
        f"{_MONTHS[when.month]} {when.day}, {when.year} at {(when.hour - 1) % 12 + 1}:{when.minute:02d} "
        f'{"AM" if when.hour < 12 else "PM"}</time></a>'
    )


@lru_cache(maxsize=2048)
def _reply_link(comment_id: int, author_name: str) -> str:
    """The no-JavaScript Reply link (comment-reply.js moves the form instead), named for the author."""
    return (f'<a class="comment-reply-link" href="?replytocom={comment_id}#respond" '
            f'aria-label="Reply to {escape(unescape(author_name or "Anonymous"))}">Reply</a>')
