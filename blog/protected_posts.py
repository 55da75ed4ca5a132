"""Password-protected posts, as WordPress does them: the one place that knows whether a reader may
see a protected post's body and comments.

A protected post is a post with a password (WordPress's post_password). Its title carries
"Protected: " wherever it is listed, and its body, excerpt and comments stay hidden until the
reader gives the password. The browser then keeps WordPress's cookie `wp-postpass_<COOKIEHASH>`:
an HMAC of the password keyed by SECRET_KEY, so the server checks it with one hash and never
stores the password in a cookie; a new password on the post makes old cookies fail. As in
WordPress, one cookie holds the latest password given, and it opens every post with that password.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import InputRequired, Length

from blog.models import Post
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l

COOKIE_PREFIX = "wp-postpass_"
COOKIE_DAYS = 10  # WordPress's: time() + 10 * DAY_IN_SECONDS
PASSWORD_MAX = 255  # posts.password's length, as WordPress's post_password
# What readers are told; gettext(…) where they read it.
NO_EXCERPT = N_("There is no excerpt because this is a protected post.")
WRONG_PASSWORD = N_("That password is not right. Please try again.")
LIKE_REFUSED = N_("This post is password protected: enter its password on the post before you like it.")
COMMENT_REFUSED = N_("This post is password protected: enter its password to read it and leave a comment.")


class PostPasswordForm(FlaskForm):
    """The password form a locked post shows in place of its body."""

    post_password = PasswordField(_l("Password:"), validators=[
        InputRequired(_l("Please enter the password.")), Length(max=PASSWORD_MAX)])
    next = HiddenField()  # the page the form was on (a comment page, say); a path on this site only


def is_protected(post: Post) -> bool:
    """Whether the post has a password (WordPress shows no body or comments without it)."""
    return bool(post.password)


def unprotected() -> sa.ColumnElement[bool]:
    """The SQL condition for posts without a password (sitemap, comment feeds)."""
    return Post.password == ""


def display_title(post: Post) -> str:
    """The title as lists, pages and feeds show it: "Protected: …" for a protected post."""
    # WordPress's protected_title_format.
    return _("Protected: %(title)s", title=post.title) if is_protected(post) else post.title


def cookie_name() -> str:
    """wp-postpass_<md5 of the site URL>, as WordPress names it with its COOKIEHASH."""
    site = current_app.config["SITE_URL"].rstrip("/")
    return COOKIE_PREFIX + hashlib.md5(site.encode()).hexdigest()  # noqa: S324  (a name, not a secret)


def _cookie_value(password: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    key = hmac.new(secret, b"wp-postpass", hashlib.sha256).digest()
    return hmac.new(key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def unlocked(post: Post, cookies) -> bool:
    """Whether this reader may see the post: it has no password, or their cookie proves it."""
    if not is_protected(post):
        return True
    given = cookies.get(cookie_name())
    return bool(given) and hmac.compare_digest(given, _cookie_value(post.password))


def locked(post: Post, cookies) -> bool:
    """Whether the post shows its password form to this reader instead of its body and comments."""
    return not unlocked(post, cookies)


def password_matches(post: Post, given: str) -> bool:
    """Whether `given` is the protected post's password (compared in constant time)."""
    return is_protected(post) and hmac.compare_digest(_cookie_value(given), _cookie_value(post.password))


def remember_password(response: Response, password: str) -> None:
    """Give the browser WordPress's post-password cookie for this password."""
    response.set_cookie(cookie_name(), _cookie_value(password), max_age=COOKIE_DAYS * 86400,
                        path=urlsplit(current_app.config["SITE_URL"]).path or "/", httponly=True,
                        samesite="Lax", secure=current_app.config["SITE_URL"].startswith("https://"))


def carries_password_cookie(cookie_names) -> bool:
    """Whether a request carries a post-password cookie (any site's name): its pages are its own."""
    return any(name.startswith(COOKIE_PREFIX) for name in cookie_names)
