"""What a browser remembers about its commenter: saved details and comments awaiting moderation."""

import time

from flask import Response, current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_DAYS = 365
PENDING_VISIBLE_SECONDS = 600  # WordPress shows a held comment to its author for 10 minutes


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="comment-author")


def saved_author(cookies) -> dict | None:
    """The name, email and website this browser asked us to remember, if any (signed, so not forgeable)."""
    raw = cookies.get(AUTHOR_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, dict) else None


def remember_author(response: Response, name: str, email: str, url: str) -> None:
    response.set_cookie(
        AUTHOR_COOKIE, _serializer().dumps({"author": name, "email": email, "url": url}),
        max_age=AUTHOR_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def forget_author(response: Response) -> None:
    response.delete_cookie(AUTHOR_COOKIE)


def note_pending_comment(comment_id: int) -> None:
    """Let this browser see its own held comment for a while."""
    now = int(time.time())
    kept = [(cid, until) for cid, until in session.get("pending_comments", []) if until > now]
    session["pending_comments"] = kept[-19:] + [(comment_id, now + PENDING_VISIBLE_SECONDS)]


def own_pending_ids() -> list[int]:
    now = int(time.time())
    return [cid for cid, until in session.get("pending_comments", []) if until > now]
