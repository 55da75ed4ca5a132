"""The spam checks a new comment goes through after the discussion rules: the learning filter, then
Akismet when configured. The one place that turns their verdicts into a status and a reason."""

from dataclasses import dataclass

from blog.spam import akismet
from blog.spam import filter as spam_filter


@dataclass(frozen=True)
class Screened:
    """A comment's status and reason after the spam checks, and the filter's score (None: unscored)."""

    status: str
    reason: str
    score: float | None = None


def screen(post, data, settings: dict, status: str, reason: str) -> Screened:
    """The status and reason after the spam checks, for a comment the rules gave `status`/`reason`.

    Spam and trash stay as the rules filed them. The filter holds (or spams, as set) a comment at or
    above its threshold; Akismet's "spam" files it as spam; an Akismet that cannot answer holds the
    comment or lets it through, as set.
    """
    if status in ("spam", "trash"):
        return Screened(status, reason)
    score = spam_filter.score_text(data.body, data.author_name, data.author_email, data.author_url) \
        if settings["spam_filter_enabled"] else None
    if score is not None and score.probability >= float(settings["spam_filter_threshold"]):
        if settings["spam_filter_action"] == "spam":
            return Screened("spam", score.reason(), score.probability)
        status, reason = "pending", _joined(reason if status == "pending" else "", score.reason())
    verdict = akismet.comment_check(post, data)
    probability = score.probability if score is not None else None
    if verdict is not None and verdict.spam:
        return Screened("spam", "Akismet: spam" + ("; it advised discarding it" if verdict.discard else ""),
                        probability)
    if verdict is not None and verdict.spam is None and settings["akismet_unreachable"] == "hold":
        status, reason = "pending", _joined(reason if status == "pending" else "",
                                            f"Akismet could not answer ({verdict.detail})")
    return Screened(status, reason, probability)


def _joined(*reasons: str) -> str:
    return "; ".join(reason for reason in reasons if reason)[:255]
