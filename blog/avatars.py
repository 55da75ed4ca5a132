"""Avatars: a Gravatar URL, or an identicon drawn here; the server itself never calls Gravatar."""

import hashlib
import hmac
from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app

IDENTICON_DIGEST = 12  # hex digits of the hash in an identicon's URL


def email_hash(email: str) -> str:
    return hashlib.sha256(_normalized(email).encode()).hexdigest()


def _normalized(email: str) -> str:
    return email.strip().lower()


def identicon_key() -> bytes:
    """This site's key for identicon names: without it no one can tell whose email an identicon is."""
    return _derived_key(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _derived_key(secret: str | bytes) -> bytes:
    # A key of its own, so that an identicon name never doubles as a signature of anything else.
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"blog.avatars.identicon", hashlib.sha256).digest()


@lru_cache(maxsize=2048)  # as the comment markup memos (blog/comment_html.py): sized for memory too
def avatar_path(email: str, source: str, key: bytes, size: int = 48) -> str:
    """Where the avatar of this email is: Gravatar's (the owner's explicit choice: a plain hash, as
    Gravatar needs), or our own identicon, named by a keyed hash so no one can test an email offline."""
    email = email or "anonymous"
    if source == "gravatar":
        return f"https://secure.gravatar.com/avatar/{email_hash(email)}?{urlencode({'s': size, 'd': 'identicon'})}"
    digest = hmac.new(key, _normalized(email).encode(), hashlib.sha256).hexdigest()
    return f"/avatar/{digest[:IDENTICON_DIGEST]}.svg"


@lru_cache(maxsize=2048)
def identicon_svg(digest: str) -> str:
    """A 5x5 mirrored pattern in one colour, both chosen from the hash, as GitHub's identicons."""
    value = int(digest, 16)
    hue = value % 360
    cells = []
    for row in range(5):
        for col in range(3):
            if (value >> (row * 3 + col + 9)) & 1:
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x + 1}" y="{row + 1}" width="1" height="1"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" shape-rendering="crispEdges">'
        f'<rect width="7" height="7" fill="#f0f0f1"/><g fill="hsl({hue} 55% 45%)">{"".join(cells)}</g></svg>'
    )


def comment_avatar_url(comment, settings: dict, placeholder: str, key: bytes | None = None) -> str:
    """The avatar beside a comment, per the avatar settings (placeholder when avatars are off).

    key: identicon_key(), when the caller has it at hand (the comment list, once per page).
    """
    if not settings["show_avatars"]:
        return placeholder
    if comment.author_avatar_url and settings["avatar_source"] == "gravatar":
        return comment.author_avatar_url
    return avatar_path(comment.author_email or comment.author_name, settings["avatar_source"], key or identicon_key())


def reader_avatar_url(picture_url: str | None, email: str | None, name: str, settings: dict) -> str:
    """A logged-in reader's picture, by the same rule as beside their comments: the provider's
    picture (a third party) only where third-party avatars are on, else their identicon."""
    if picture_url and settings["avatar_source"] == "gravatar":
        return picture_url
    return avatar_path(email or name, settings["avatar_source"], identicon_key())
