"""What became of one attempt at a queued mention, as the worker records it on the row."""

from dataclasses import dataclass, field

from core.safe_fetch import FetchRefused


@dataclass(frozen=True)
class Outcome:
    """A final status (or "retry"), with the columns to set on the row and why, for the owner."""

    status: str
    error: str = ""
    values: dict = field(default_factory=dict)


def retry(error: str) -> Outcome:
    """Try again later (after the backoff), unless that was the last attempt."""
    return Outcome("retry", error[:500])


def refused_fetch(refused: FetchRefused, final: str, what: str) -> Outcome:
    """A fetch that was not made or not read: tried again later when that may pass, else final."""
    reason = f"{what}: {refused}"
    return retry(reason) if refused.transient else Outcome(final, reason[:500])
