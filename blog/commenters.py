"""What a browser remembers about its commenter: saved details and comments awaiting moderation."""

import time

from flask import Response, current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

AUTHOR_COOKIE = "comment_author"
# Cookies that make a page this browser's own: the page cache neither stores nor serves pages to
# a request that carries one (blog.page_cache). A new personal cookie is added here.
PERSONAL_COOKIES = (AUTHOR_COOKIE,)
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
    kept = _held_comments(now)[-19:] + [(comment_id, now + PENDING_VISIBLE_SECONDS)]
    session["pending_comments"] = " ".join(f"{cid}:{until}" for cid, until in kept)


def own_pending_ids() -> list[int]:
    return [cid for cid, _ in _held_comments(int(time.time()))]


def _held_comments(now: int) -> list[tuple[int, int]]:
    """(comment id, shown until) of this browser's held comments still shown to it.

    Stored as one string, "id:until id:until": a list of pairs costs the session's tagged JSON a
    walk over every item each time the cookie is read or written.
    """
    stored = session.get("pending_comments", "")
    if not isinstance(stored, str):  # a session written before the string form: [[id, until], ...]
        stored = " ".join(f"{cid}:{until}" for cid, until in stored)
    pairs = [tuple(map(int, item.split(":"))) for item in stored.split()]
    return [(cid, until) for cid, until in pairs if until > now]
