"""What a browser remembers about its commenter: saved details, and the secrets of the comments it wrote."""

import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from flask import Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from auth.roles import may_moderate_comments_on
from blog.models import Comment, Post
from core.clean_input import DB_INT_MAX
from extensions import db

AUTHOR_COOKIE = "comment_author"
# "id:secret" of this browser's latest comments: the proof that it wrote them (see own_held_ids).
KEYS_COOKIE = "comment_keys"
# Cookies that make a page this browser's own: the page cache neither stores nor serves pages to
# a request that carries one (page_cache.hooks). A new personal cookie is added here.
PERSONAL_COOKIES = (AUTHOR_COOKIE, KEYS_COOKIE)
AUTHOR_COOKIE_DAYS = 365
KEYS_KEPT = 20  # the browser's latest comments it can prove; keeps the cookie well under 1 KB
_KEY_PAIR = re.compile(r"([1-9][0-9]{0,9}):([A-Za-z0-9_-]{32})")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="comment-author")


def saved_author(cookies) -> dict | None:
    """The name, email and website this browser asked us to remember, for the form only (signed,
    so not forgeable, but anyone can get one for any name: it proves nothing about comments)."""
    raw = cookies.get(AUTHOR_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, dict) else None


def remember_author(response: Response, name: str, email: str, url: str) -> None:
    _set_long_cookie(response, AUTHOR_COOKIE, _serializer().dumps({"author": name, "email": email, "url": url}))


def forget_author(response: Response) -> None:
    response.delete_cookie(AUTHOR_COOKIE)


def new_comment_key() -> str:
    """A fresh secret for a new comment: the browser keeps it, the database its hash."""
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    # The secret is random and long, so a plain SHA-256 is enough to make a stolen table useless.
    return hashlib.sha256(key.encode()).hexdigest()


def comment_keys(cookies) -> dict[int, str]:
    """{comment id: secret} this browser holds, oldest first; anything malformed is ignored."""
    pairs = (_KEY_PAIR.fullmatch(item) for item in cookies.get(KEYS_COOKIE, "").split(".")[-KEYS_KEPT:])
    return {int(m[1]): m[2] for m in pairs if m and int(m[1]) <= DB_INT_MAX}


def remember_comment_key(response: Response, cookies, comment_id: int, key: str) -> None:
    """Add a new comment's secret to this browser's, dropping the oldest past KEYS_KEPT."""
    kept = [(cid, k) for cid, k in comment_keys(cookies).items() if cid != comment_id][-(KEYS_KEPT - 1):]
    value = ".".join(f"{cid}:{k}" for cid, k in [*kept, (comment_id, key)])
    _set_long_cookie(response, KEYS_COOKIE, value)


def holds_key(cookies, comment_id: int, stored_hash: str | None) -> bool:
    """Whether this browser proves it wrote the comment (compared in constant time)."""
    return proves_key(comment_keys(cookies), comment_id, stored_hash)


def proves_key(keys: dict[int, str], comment_id: int, stored_hash: str | None) -> bool:
    """Whether one of these secrets is the comment's (compared in constant time)."""
    key = keys.get(comment_id)
    return bool(key and stored_hash) and hmac.compare_digest(key_hash(key), stored_hash)


# What a comment's author sees of it that nobody else does: held, or filed as spam from a
# shadow-banned commenter (blog.spam.standings), which its author sees as if published.
_OWN_ONLY = sa.or_(Comment.status == "pending", sa.and_(Comment.status == "spam", Comment.shadow))


def own_held_ids(post_id: int, cookies, user_id: int | None) -> list[int]:
    """This reader's held and shadow comments on a post: those its browser proves, and its account's."""
    keys = comment_keys(cookies)
    if not keys and user_id is None:
        return []  # no query for a reader with nothing to prove
    proven = Comment.id.in_(list(keys))
    mine = proven if user_id is None else sa.or_(proven, Comment.user_id == user_id)
    rows = db.session.execute(sa.select(Comment.id, Comment.user_id, Comment.author_key_hash).where(
        Comment.post_id == post_id, _OWN_ONLY, mine))
    return [row.id for row in rows
            if (user_id is not None and row.user_id == user_id) or proves_key(keys, row.id, row.author_key_hash)]


def may_see(comment: Comment, cookies, user) -> bool:
    """Whether a reader may see this comment: approved ones anyone, held and shadow ones their author,
    all of them who may moderate them."""
    if comment.status == "approved" or (
            user.is_authenticated and may_moderate_comments_on(user, db.session.get(Post, comment.post_id))):
        return True
    if comment.status != "pending" and not (comment.status == "spam" and comment.shadow):
        return False
    own_account = user.is_authenticated and comment.user_id == user.id
    return own_account or holds_key(cookies, comment.id, comment.author_key_hash)


def _set_long_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=AUTHOR_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
