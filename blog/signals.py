"""What the blog tells other parts when something happens, without importing them.

Each signal is sent with the app as sender, inside the transaction that causes it, and its
receivers run at once in the same session: what they add (notify's outbox rows) is committed or
rolled back together with the comment or post. A receiver's return value is its report to the
sender: for comment_submitted, a notice for the commenter (or None).
"""

from blinker import Namespace
from flask import current_app

_signals = Namespace()

# A new comment is stored (flushed, not committed). Keywords: comment, subscriptions (what the
# commenter asked to follow, from the comment form's added sections, or None), user (or None),
# settings (the blog's settings the discussion rules judged it by).
comment_submitted = _signals.signal("comment-submitted")
# An existing comment moved into "approved" (a moderator, a mail link). Keyword: comment.
comment_approved = _signals.signal("comment-approved")
# A comment moved from one status to another (a moderator, a mail link, readers' reports). Keywords:
# comment, before, after (statuses), moderator (the User, or None). The spam filter learns from it,
# Akismet hears of it, and readers' reports on the comment are resolved by it.
comment_status_changed = _signals.signal("comment-status-changed")
# A comment's open reports by readers were closed (a moderator moved the comment or dismissed them).
# Keywords: comment, reports (the CommentReport rows closed), outcome ("removed" or "kept"). notify
# tells each reporter who left an email.
comment_reports_resolved = _signals.signal("comment-reports-resolved")
# A post moved into "published" (flushed, so it has its id). Keyword: post.
post_published = _signals.signal("post-published")
# A post already published was saved again (its text, title or address may have changed). Keyword: post.
post_updated = _signals.signal("post-updated")
# A published post stopped being public: moved to draft, private or the trash, or deleted (sent
# before the DELETE, so its row and id are still there). Keyword: post.
post_withdrawn = _signals.signal("post-withdrawn")


def send(signal, **data) -> list:
    """Send `signal` for the current app; what its receivers reported, leaving out None."""
    return [report for _receiver, report in signal.send(current_app._get_current_object(), **data)
            if report is not None]
