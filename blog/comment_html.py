"""The comment list's markup, built in Python: it is the hot loop of the post page.

A Jinja macro per comment costs several times more than this for a 200-comment page, so the
list is assembled here, in WordPress's markup (li#comment-N), kept lean: markup is most of the page's weight, so
styles hang on structure (ol.comment-list article footer) rather than on a class per element, with every
value escaped by markupsafe and every comment text sanitized by render_comment.
"""

from html import unescape

from markupsafe import Markup, escape

from blog.avatars import comment_avatar_url
from blog.permalinks import blog_timezone
from blog.rendering import render_comment
from blog.threads import ThreadNode

UNAPPROVED = ' class="unapproved"'
# "March 4, 2024 at 10:04 AM" without strftime, which is the slowest step of each comment.
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def render_comment_list(threads: list[ThreadNode], settings: dict, replies_open: bool,
                        static_avatar: str, like_widget=None) -> Markup:
    """The <li> items of ol.comment-list for these threads, replies nested in ol.children.

    like_widget(comment) gives a logged-in reader's Like form; others see the count alone.
    """
    zone = blog_timezone()
    zone = None if zone.key == "UTC" else zone  # stored times are UTC already
    max_depth = int(settings["thread_comments_depth"]) if settings["thread_comments"] else 1
    parts: list[str] = []

    def item(node: ThreadNode, depth: int) -> None:
        c = node.comment
        # WordPress stores names HTML-escaped (a pingback's "Blog &raquo; Post"); imported ones
        # keep that form, so decode entities once before escaping for display. <bdi>: a right-to-left
        # override in a name must not reorder the text after it.
        name = Markup("<bdi>%s</bdi>") % unescape(c.author_name or "Anonymous")
        author = f'<a href="{escape(c.author_url)}" rel="nofollow ugc">{name}</a>' if c.author_url else name
        when = c.created_at if zone is None else c.created_at.astimezone(zone)
        parts.append(
            f'<li id="comment-{c.id}"{UNAPPROVED if c.status != "approved" else ""}>'
            f'<article><footer>'
            f'<img src="{escape(comment_avatar_url(c, settings, static_avatar))}" alt=""><b class="fn">{author}</b> '
            f'<a href="#comment-{c.id}"><time datetime="{when.isoformat(timespec="minutes")}">'
            f'{_MONTHS[when.month]} {when.day}, {when.year} at {(when.hour - 1) % 12 + 1}:{when.minute:02d} '
            f'{"AM" if when.hour < 12 else "PM"}</time></a>'
        )
        if c.status != "approved":
            parts.append('<em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em>')
        parts.append(f'</footer><div class="comment-content">{render_comment(c.body)}</div>')
        if like_widget is not None and c.status == "approved":
            parts.append(like_widget(c))
        elif c.like_count:
            parts.append(f'<p class="comment-like-count">{c.like_count} like{"s" if c.like_count > 1 else ""}</p>')
        if replies_open and c.status == "approved" and depth < max_depth:
            parts.append(f'<a class="comment-reply-link" href="?replytocom={c.id}#respond" '
                         f'aria-label="Reply to {escape(unescape(c.author_name or "Anonymous"))}">Reply</a>')
        parts.append("</article>")
        if node.children:
            parts.append('<ol class="children">')
            for child in node.children:
                item(child, depth + 1)
            parts.append("</ol>")
        parts.append("</li>")

    for node in threads:
        item(node, 1)
    return Markup("".join(parts))
