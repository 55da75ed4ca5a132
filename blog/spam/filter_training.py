"""The learning filter learns from moderators' clicks (blog.signals.comment_status_changed)."""


def init_app(app) -> None:
    """Learn from every status move of this app's comments."""
