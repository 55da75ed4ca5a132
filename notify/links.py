"""Absolute signed links that mails carry; call inside mailer.site_links() or a request.

A link names each row by its id and the row's own random link_secret, so that it never acts on a
later row that happens to get the same id.
"""

from collections.abc import Iterable

from flask import url_for

from blog.models import Comment
from core.i18n import lazy_gettext as _l
from notify.models import Subscription
from notify.tokens import BadLink, make_token

OUT_OF_DATE = _l("This link comes from an older mail and no longer works. Please use the link in a newer mail.")


def _refs(subscriptions: Iterable[Subscription]) -> list[list]:
    return sorted([s.id, s.link_secret] for s in subscriptions)


def subscription_refs(link: dict) -> list[tuple[int, str]]:
    """The (id, link_secret) pairs a signed unsubscribe or confirmation link names."""
    refs = link.get("subs")
    if not isinstance(refs, list):
        raise BadLink(str(OUT_OF_DATE), 410)
    return [(ref[0], ref[1]) for ref in refs]


def unsubscribe_url(subscriptions: Iterable[Subscription]) -> str:
    """One-click link that cancels these subscriptions; it does not expire."""
    token = make_token("unsubscribe", {"subs": _refs(subscriptions)})
    return url_for("notify.unsubscribe", token=token, _external=True)


def manage_url(email: str) -> str:
    """The page listing every subscription of this address, each with a cancel button."""
    return url_for("notify.manage", token=make_token("manage", {"email": email}), _external=True)


def confirm_url(subscriptions: Iterable[Subscription], email: str) -> str:
    token = make_token("confirm", {"subs": _refs(subscriptions), "email": email})
    return url_for("notify.confirm", token=token, _external=True)


def moderation_url(comment: Comment, action: str, token_id: str | None) -> str:
    """A link to the confirmation page; with token_id it acts once without log-in."""
    data = {"comment": comment.id, "key": comment.link_secret, "action": action}
    if token_id:
        data["jti"] = token_id
    return url_for("notify.moderate", token=make_token("moderate", data), _external=True)
