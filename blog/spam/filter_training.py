"""The learning filter learns from moderators' clicks (blog.signals.comment_status_changed): Spam
teaches it spam; Approve, and Not spam (or Undo of Spam), whatever status it leads back to, teach it ham.

Trash teaches nothing: a comment is trashed for reasons its words do not show (off-topic, rude,
a duplicate), and learning those as spam would hold readers who write like them. Nor do shadow-banned
commenters' comments: they are filed as spam for who wrote them, not for what they say.
"""

from blog import signals
from blog.spam import filter as spam_filter


def lesson(before: str, after: str) -> str | None:
    """What a move from one status to another teaches: "spam", "ham" or nothing."""
    if after == "spam":
        return "spam"
    if after == "approved" or before == "spam":
        return "ham"
    return None


def status_changed(_app, *, comment, before, after, moderator) -> None:
    label = lesson(before, after)
    if label and not comment.shadow:
        spam_filter.learn(comment, label)


def init_app(app) -> None:
    """Learn from every status move of this app's comments."""
    signals.comment_status_changed.connect(status_changed, sender=app)
