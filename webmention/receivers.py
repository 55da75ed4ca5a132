"""Signal receivers: a published or edited post queues the mentions it owes, and so does a staff
reply to a comment that came by Webmention. They run in the sender's transaction."""

from flask import Flask

from blog import signals
from blog.settings import get_settings


def _enabled() -> bool:
    """Whether the owner lets the blog send and take Webmentions."""
    return bool(get_settings()["webmention_enabled"])


def post_published(_app, *, post) -> None:
    """Queue a mention of each page the post links."""
    if _enabled():
        from webmention.send import queue_post_mentions  # here: a worker serving pages never sends

        queue_post_mentions(post)


def post_withdrawn(_app, *, post) -> None:
    """Tell the pages the post mentioned that it is gone."""
    if _enabled():
        from webmention.send import queue_withdrawn_mentions

        queue_withdrawn_mentions(post)


def comment_submitted(_app, *, comment, settings, subscriptions=None, user=None) -> None:
    """A staff reply stored approved: queue its mention of the page its parent came from."""
    if comment.user_id is not None and comment.parent_id and settings["webmention_enabled"]:  # guests' return here
        from webmention.send import queue_reply_mention

        queue_reply_mention(comment)


def comment_approved(_app, *, comment) -> None:
    """A staff reply approved later: queue its mention likewise."""
    if _enabled():
        from webmention.send import queue_reply_mention

        queue_reply_mention(comment)


def connect(app: Flask) -> None:
    """Connect this part's receivers to blog's signals for `app` (and only its own)."""
    signals.post_published.connect(post_published, sender=app)
    signals.post_updated.connect(post_published, sender=app)  # the same: links added and dropped
    signals.post_withdrawn.connect(post_withdrawn, sender=app)
    signals.comment_submitted.connect(comment_submitted, sender=app)
    signals.comment_approved.connect(comment_approved, sender=app)
