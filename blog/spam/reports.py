"""Readers' reports of comments: spam, abuse, off-topic or illegal content."""


def open_report_counts(comment_ids: list[int]) -> dict[int, dict[str, int]]:
    """{comment id: {reason: open reports}} for these comments (those without open reports left out)."""
    return {}


def init_app(app) -> None:
    """Resolve a comment's reports when a moderator moves it."""
