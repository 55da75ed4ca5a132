"""Readers' reports of comments: spam, abuse, off-topic or illegal content.

A reader reports an approved comment once; when report_hold_count distinct readers have open
reports on it, it goes back to the moderation queue. A moderator's move (spam, trash, approve) or
Dismiss resolves the open reports, and the reporters who left an email hear the outcome
(blog.signals.comment_reports_resolved, which notify turns into mail).
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_number

from auth.models import User
from blog import protected_posts, signals
from blog.models import Comment, ModerationLog, Post
from blog.moderation import log_action, set_comment_status
from blog.queries import visible
from blog.settings import get_settings
from blog.spam.models import REPORT_REASONS, CommentReport
from core.dbtypes import insert_or_ignore, utcnow
from core.i18n import N_, ngettext
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

REASON_LABELS = {"spam": _l("Spam"), "abuse": _l("Abuse or harassment"), "off_topic": _l("Off-topic"),
                 "illegal": _l("Illegal content")}
# The reasons as a held comment's status_reason names them: stored, so in English whatever the language.
_STORED_REASONS = {"spam": "spam", "abuse": "abuse or harassment", "off_topic": "off-topic",
                   "illegal": "illegal content"}
EXPLANATION_MAX = 4000
HOLD_ACTION = "held after reports"
HOLD_ACTOR = "readers' reports"
DISMISS_ACTION = "reports dismissed"
ALREADY_REPORTED = N_("You have already reported this comment. Thank you: a moderator will look at it.")
ILLEGAL_NEEDS_EXPLANATION = N_("Please explain why this comment is illegal: which law it breaks, and how. "
                               "A report of illegal content needs that explanation.")
ILLEGAL_NEEDS_GOOD_FAITH = N_("Please confirm that you make this report in good faith.")
# What each move of a reported comment means for its reports.
OUTCOMES = {"spam": "removed", "trash": "removed", "approved": "kept"}


class ReportRefused(Exception):
    """A report that cannot be stored; `message` tells the reader why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Reporter:
    """Who reports: their account (or None), the name and email they gave, and their keyed hash."""

    user_id: int | None
    name: str
    email: str
    key: str


def reporter_key(user, remote_addr: str | None) -> str:
    """A keyed hash of "user:<id>" for a logged-in reader or "ip:<address>" for a guest: distinct
    readers count apart without the address being stored."""
    who = f"user:{user.id}" if user is not None and user.is_authenticated else f"ip:{remote_addr or ''}"
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    key = hmac.new(secret, b"comment-report", hashlib.sha256).digest()
    return hmac.new(key, who.encode(), hashlib.sha256).hexdigest()


def reportable_comment(comment_id: int, cookies) -> tuple[Comment, Post] | None:
    """The comment and its post when any reader can see it: approved, not deleted by its author, on
    a published post whose password (if any) this reader gave; None otherwise."""
    comment = db.session.scalar(sa.select(Comment).where(
        Comment.id == comment_id, Comment.status == "approved", Comment.deleted_at.is_(None)))
    if comment is None:
        return None
    post = db.session.scalar(sa.select(Post).where(Post.id == comment.post_id, visible(Post)))
    if post is None or protected_posts.locked(post, cookies):
        return None
    return comment, post


def file_report(comment: Comment, reason: str, explanation: str, reporter: Reporter,
                good_faith: bool = False) -> CommentReport:
    """Store a reader's report in the caller's transaction, then hold the comment once enough
    distinct readers have reported it; ReportRefused for a bad reason or a second report."""
    explanation = (explanation or "").strip()
    if reason not in REPORT_REASONS:
        raise ReportRefused(_("Please choose one of the reasons."))
    if len(explanation) > EXPLANATION_MAX:
        raise ReportRefused(ngettext("Your explanation is too long (at most %(max)s character).",
                                     "Your explanation is too long (at most %(max)s characters).",
                                     EXPLANATION_MAX, max=format_number(EXPLANATION_MAX)))
    if reason == "illegal" and not explanation:
        raise ReportRefused(_(ILLEGAL_NEEDS_EXPLANATION))
    if reason == "illegal" and not good_faith:
        raise ReportRefused(_(ILLEGAL_NEEDS_GOOD_FAITH))
    # ON CONFLICT DO NOTHING: a second report by the same reader, even from two tabs at once, is
    # refused without an integrity error that would end the transaction (PostgreSQL).
    added = insert_or_ignore(CommentReport, comment_id=comment.id, reason=reason, explanation=explanation,
                             reporter_id=reporter.user_id, reporter_name=reporter.name[:245],
                             reporter_email=reporter.email[:100], reporter_key=reporter.key,
                             created_at=utcnow())
    if not added:
        raise ReportRefused(_(ALREADY_REPORTED), 409)
    report = db.session.scalar(sa.select(CommentReport).where(
        CommentReport.comment_id == comment.id, CommentReport.reporter_key == reporter.key))
    _hold_if_reported_enough(comment)
    return report


def _hold_if_reported_enough(comment: Comment) -> bool:
    """Send an approved comment back to the queue once report_hold_count readers have open reports."""
    needed = int(get_settings()["report_hold_count"])
    if needed <= 0 or comment.status != "approved":
        return False
    reasons = list(db.session.scalars(sa.select(CommentReport.reason).where(
        CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))))
    if len(reasons) < needed:
        return False
    held = set_comment_status(comment, "pending", None, action=HOLD_ACTION, actor=HOLD_ACTOR)
    if held:
        counted = Counter(reasons).most_common()
        named = ", ".join(_STORED_REASONS[reason] for reason, _count in counted)
        comment.status_reason = f"{len(reasons)} reader reports: {named}"[:255]
    return held


def open_report_counts(comment_ids: list[int]) -> dict[int, dict[str, int]]:
    """{comment id: {reason: open reports}} for these comments (those without open reports left out)."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(CommentReport.comment_id, CommentReport.reason, sa.func.count())
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
        .group_by(CommentReport.comment_id, CommentReport.reason))
    counts: dict[int, dict[str, int]] = {}
    for comment_id, reason, count in rows.tuples():
        counts.setdefault(comment_id, {})[reason] = count
    return counts


def open_reports(comment_ids: list[int]) -> dict[int, list[CommentReport]]:
    """Each comment's open reports, oldest first, in one query (the admin's Reported tab)."""
    if not comment_ids:
        return {}
    found: dict[int, list[CommentReport]] = {}
    for report in db.session.scalars(sa.select(CommentReport).where(
            CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
            .order_by(CommentReport.created_at, CommentReport.id)):
        found.setdefault(report.comment_id, []).append(report)
    return found


def reported_comments_query() -> sa.Select:
    """Comments with open reports, the most reported first (narrow it with admin.queries.moderated_by)."""
    open_count = (sa.select(CommentReport.comment_id, sa.func.count().label("reports"),
                            sa.func.max(CommentReport.created_at).label("latest"))
                  .where(CommentReport.resolved_at.is_(None)).group_by(CommentReport.comment_id).subquery())
    return (sa.select(Comment).join(open_count, open_count.c.comment_id == Comment.id)
            .order_by(open_count.c.reports.desc(), open_count.c.latest.desc(), Comment.id.desc()))


def resolve_reports(comment: Comment, outcome: str) -> list[CommentReport]:
    """Close the comment's open reports with this outcome ("removed" or "kept"), in the caller's
    transaction, and tell the reporters (comment_reports_resolved); the reports closed."""
    reports = list(db.session.scalars(sa.select(CommentReport).where(
        CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .order_by(CommentReport.id)))
    if not reports:
        return []
    now = utcnow()
    for report in reports:
        report.resolved_at, report.outcome = now, outcome
    db.session.flush()
    signals.send(signals.comment_reports_resolved, comment=comment, reports=reports, outcome=outcome)
    return reports


def dismiss_reports(comment: Comment, moderator: User | None) -> list[CommentReport]:
    """A moderator's Dismiss, in the caller's transaction: the reports are closed as "kept", and a
    comment the reports alone held is approved again; the reports closed."""
    if comment.status == "pending" and _held_by_reports(comment):
        # Approving it resolves the reports through the status receiver, as any approval does.
        reports = _open(comment)
        set_comment_status(comment, "approved", moderator, action=DISMISS_ACTION)
        return reports
    log_action(comment, DISMISS_ACTION, moderator, comment.status, comment.status)
    return resolve_reports(comment, "kept")


def _open(comment: Comment) -> list[CommentReport]:
    return list(db.session.scalars(sa.select(CommentReport).where(
        CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))))


def _held_by_reports(comment: Comment) -> bool:
    """Whether the comment's latest move into the queue was the readers' reports' hold."""
    action = db.session.scalar(
        sa.select(ModerationLog.action)
        .where(ModerationLog.comment_id == comment.id, ModerationLog.to_status == "pending")
        .order_by(ModerationLog.created_at.desc(), ModerationLog.id.desc()).limit(1))
    return action == HOLD_ACTION


def _status_changed(_app, *, comment: Comment, before: str, after: str, moderator=None) -> None:
    """A moderator moved a comment: spam or trash removes it for its reporters, approval keeps it."""
    outcome = OUTCOMES.get(after)
    if outcome is not None and before != after:
        resolve_reports(comment, outcome)


def init_app(app) -> None:
    """Resolve a comment's reports when a moderator moves it."""
    signals.comment_status_changed.connect(_status_changed, sender=app)
