"""The commenters' ladder: trusted, always hold, suspended, banned, shadow-banned; by account,
normalised email and IP address, each step with a moderator's note and kept in the history."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    """Where a commenter stands for this submission: the strictest of their account's, email's and
    address's rungs (None: no rung)."""

    level: str | None = None

    @property
    def trusted(self) -> bool:
        return self.level == "trusted"

    @property
    def always_hold(self) -> bool:
        return self.level == "hold"

    @property
    def shadow(self) -> bool:
        return self.level == "shadow"

    def refusal(self) -> str | None:
        """The message refusing the comment outright (banned, suspended), or None."""
        return None


NO_STANDING = Standing()


def standing_for(user_id: int | None, email: str, ip: str) -> Standing:
    """The standing of whoever submits with this account, email and address."""
    return NO_STANDING
