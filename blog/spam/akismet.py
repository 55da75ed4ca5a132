"""Akismet, through its HTTP API, when AKISMET_API_KEY is configured."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AkismetVerdict:
    spam: bool | None  # None: Akismet could not answer (unreachable, timed out, refused the key)
    discard: bool = False  # Akismet's "discard": blatant spam, not worth a moderator's look
    detail: str = ""  # why it could not answer, for the comment's reason and the log


def comment_check(post, data) -> AkismetVerdict | None:
    """Ask Akismet about a new comment; None when Akismet is not configured."""
    return None


def init_app(app) -> None:
    """Tell Akismet of moderators' spam and not-spam clicks (submit-spam, submit-ham)."""
