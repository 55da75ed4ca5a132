"""Spam defence: the learning filter, Akismet, readers' reports and the commenters' ladder."""


def init_app(app) -> None:
    """Connect the defences to this app's signals (blog.signals.comment_status_changed)."""
    from blog.spam import akismet, filter_training, reports

    filter_training.init_app(app)
    akismet.init_app(app)
    reports.init_app(app)
