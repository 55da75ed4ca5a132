"""notify's receivers of blog's signals: they run in the sender's transaction, so the outbox rows
they add are committed or rolled back with the comment or post."""

from flask import Flask

from blog import signals
from core.i18n import gettext as _
from notify import events, report_mail, services


def comment_submitted(_app, *, comment, settings, subscriptions=None, user=None) -> str | None:
    """Mail about a new comment, then subscribe its author as they asked; the notice for them when a
    confirmation link went out."""
    events.comment_submitted(comment, settings)
    if not subscriptions or comment.status not in ("approved", "pending"):
        return None  # spam and trash subscribe nobody
    made = services.subscribe_after_comment(comment, **subscriptions, user=user)
    waiting = [subscription for subscription in made if subscription.confirmed_at is None]
    if not waiting:
        return None
    return _("Check your inbox: we sent a link to %(email)s to confirm your subscription.", email=waiting[0].email)


def comment_approved(_app, *, comment) -> None:
    events.comment_approved(comment)


def post_published(_app, *, post) -> None:
    events.post_published(post)


def comment_reports_resolved(_app, *, comment, reports, outcome) -> None:
    report_mail.reports_resolved(comment, reports, outcome)


def connect(app: Flask) -> None:
    """Receive this app's signals (and only its own: the sender is the app)."""
    signals.comment_submitted.connect(comment_submitted, sender=app)
    signals.comment_approved.connect(comment_approved, sender=app)
    signals.post_published.connect(post_published, sender=app)
    signals.comment_reports_resolved.connect(comment_reports_resolved, sender=app)
