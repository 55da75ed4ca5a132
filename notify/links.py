"""Absolute signed links that mails carry; call inside mailer.site_links() or a request."""

from collections.abc import Iterable

from flask import url_for

from notify.models import Subscription
from notify.tokens import make_token


def unsubscribe_url(subscriptions: Iterable[Subscription]) -> str:
    """One-click link that cancels these subscriptions; it does not expire."""
    ids = sorted(s.id for s in subscriptions)
    return url_for(
        "notify.unsubscribe", token=make_token("unsubscribe", {"ids": ids}), _external=True
    )


def manage_url(email: str) -> str:
    """The page listing every subscription of this address, each with a cancel button."""
    return url_for("notify.manage", token=make_token("manage", {"email": email}), _external=True)


def confirm_url(subscriptions: Iterable[Subscription], email: str) -> str:
    ids = sorted(s.id for s in subscriptions)
    token = make_token("confirm", {"ids": ids, "email": email})
    return url_for("notify.confirm", token=token, _external=True)


def moderation_url(comment_id: int, action: str, token_id: str | None) -> str:
    """A link to the confirmation page; with token_id it acts once without log-in."""
    data = {"comment": comment_id, "action": action}
    if token_id:
        data["jti"] = token_id
    return url_for("notify.moderate", token=make_token("moderate", data), _external=True)
