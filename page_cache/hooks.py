"""Whole-page caching for anonymous readers, checked against one version row in the database.

Any change a public page could show (an approved comment, a post, a setting, a like) bumps the
version in the same transaction (`page_cache.invalidation`). Flask renders a page and marks it
here; `page_cache.front`, in front of Flask, stores it and serves the stored copies. The CSRF token
and the CSP nonce are cut out before a page is stored, and each reader gets their own.

`page_cache.init_app` registers these hooks; nothing here runs on import.
"""

import hashlib
import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from werkzeug.http import http_date

from blog.commenters import PERSONAL_COOKIES
from blog.content_version import remember_content_version
from blog.models import SiteState
from blog.protected_posts import carries_password_cookie
from core.security import csp_nonce
from extensions import db
from page_cache.reads import READ_ONLY_ENDPOINTS, read_without_transaction

CACHED_ENDPOINTS = READ_ONLY_ENDPOINTS  # a page made from reads alone can be replayed
# Their URL shapes, so that the front spends no database read on other paths. A URL this misses
# is only slower (Flask still serves it), never wrong.
# Pages live at any address no other part of the site begins with, so every public shape is one.
CACHED_PATHS = re.compile(r"/(?:(?!admin/|auth/|notify/|static/|avatar/|comments/|posts/)[^?]*/)?")
NONCE_MARK = "\x1fcsp-nonce\x1f"
# Session keys that make a page personal: a log-in, flashed messages, a comment draft held over a log-in.
PERSONAL_SESSION_KEYS = {"_user_id", "_flashes", "comment_draft"}
PAGE_TO_STORE = "blog.page_to_store"  # the environ key that carries a rendered page to the front
LIKES_SHOWN = "page_cache.likes_shown"  # the app's HeldCounter, in app.extensions
# Headers that belong to one response, never to the stored page.
PER_RESPONSE_HEADERS = {"set-cookie", "x-request-id", "content-length", "date", "x-page-cache",
                        "etag", "last-modified", "cache-control", "vary"}
VERSION_QUERY = sa.select(SiteState.content_version, SiteState.likes_version).where(SiteState.id == 1)
VERSION_AND_DATE_QUERY = VERSION_QUERY.add_columns(SiteState.changed_at)


@dataclass(frozen=True)
class CachedPage:
    """A stored page: its body split where each reader's CSRF token goes, and its shared headers."""

    parts: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...]  # the CSP nonce is NONCE_MARK
    last_modified: str | None


def page_key(language: str, version: tuple[int, int], environ: dict) -> str:
    """One key per language, (content, likes) version and URL, so a new version never meets an old
    page, nor a server in another language (BLOG_LANGUAGE) its neighbour's pages in a shared cache."""
    return (f"page:{language}:{version[0]}.{version[1]}:"
            f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")


class HeldCounter:
    """Shows a fast-moving counter's latest value at most once per `hold_seconds`.

    Likes bump their own counter: a burst of likes then empties the cache once per hold, not once
    per click, and anonymous readers see counts at most that much late (likers, logged in, are
    never served cached pages). One per app, made by page_cache.init_app and handed to the front
    and to Flask's hook (through app.extensions), so both name a page alike.
    """

    def __init__(self, hold_seconds: float, clock=time.monotonic):
        self.hold_seconds, self.clock = hold_seconds, clock
        self.shown, self.until = None, float("-inf")

    def show(self, latest: int) -> int:
        now = self.clock()
        if self.shown is None or now >= self.until:
            self.shown, self.until = latest, now + self.hold_seconds
        return self.shown


def page_etag(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def cache_validators(etag: str, last_modified: str | None) -> list[tuple[str, str]]:
    """Headers every cached or cacheable answer carries, 304s included."""
    headers = [("ETag", f'"{etag}"'), ("Cache-Control", "private, no-cache"), ("Vary", "Cookie")]
    return headers + ([("Last-Modified", last_modified)] if last_modified else [])


def personal_cookie_names(app: Flask) -> frozenset[str]:
    """Cookies that name a reader (a log-in kept by "remember me", a commenter's own details)."""
    return frozenset(PERSONAL_COOKIES) | {app.config.get("REMEMBER_COOKIE_NAME", "remember_token")}


def carries_personal_cookie(cookie_names, personal_names: frozenset[str]) -> bool:
    """Whether these cookies name a reader: one of `personal_names`, or a post-password cookie
    (a protected post it opens is that reader's page, whatever the site's cookie name)."""
    return bool(personal_names.intersection(cookie_names)) or carries_password_cookie(cookie_names)


def _carries_personal_state() -> bool:
    return (carries_personal_cookie(request.cookies, personal_cookie_names(current_app))
            or bool(PERSONAL_SESSION_KEYS.intersection(session.keys())))


def _is_anonymous_reader() -> bool:
    return request.method in ("GET", "HEAD") and not _carries_personal_state()


def _rendered_for_nobody(response) -> bool:
    """Whether the page, as rendered, could be anyone's: no user was loaded for it, the request and
    the session name nobody, and the response sets no cookie but the session's."""
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    if (user is not None and user.is_authenticated) or _carries_personal_state():
        return False
    return sets_no_cookie_but(response.headers.getlist("Set-Cookie"), current_app.config["SESSION_COOKIE_NAME"])


def sets_no_cookie_but(set_cookie_values, session_cookie: str) -> bool:
    """Whether these Set-Cookie values name no cookie but the session's: any other makes a page someone's."""
    return all(value.split("=", 1)[0].strip() == session_cookie for value in set_cookie_values)


def prepare_page_cache():
    """For a page the cache may hold: read it without a transaction, then mark an anonymous reader's
    page for storing, or answer 304 when their copy is current. Other requests pass untouched."""
    if request.endpoint not in CACHED_ENDPOINTS:
        return None
    read_without_transaction()  # first: nothing has read through the request's connection yet
    if not _is_anonymous_reader():
        return None
    content, likes, changed_at = db.session.execute(VERSION_AND_DATE_QUERY).first() or (0, 0, None)
    remember_content_version(content)  # the page's menu and widgets are cached under it: no second read
    key = page_key(current_app.config["BLOG_LANGUAGE"], (content, current_app.extensions[LIKES_SHOWN].show(likes)),
                   request.environ)
    g.page_cache = {"key": key, "etag": page_etag(key),
                    "last_modified": http_date(changed_at) if changed_at else None}
    if g.page_cache["etag"] in request.if_none_match:
        return _with_validators(Flask.response_class(status=304))
    return None


def offer_for_caching(response):
    """Hand a freshly rendered anonymous page to the front to store, without its reader's secrets.

    The front stores it once the response's final headers (security headers included) are known.
    """
    entry = g.get("page_cache")
    if not entry or response.status_code != 200:
        return response
    if not _rendered_for_nobody(response):
        g.pop("page_cache")
        return response
    body = response.get_data(as_text=True)
    nonce = csp_nonce()
    if nonce not in body:  # an inline script with this reader's nonce would make the page personal
        token = g.get("csrf_token")
        request.environ[PAGE_TO_STORE] = {
            "key": entry["key"], "nonce": nonce, "last_modified": entry["last_modified"],
            "parts": tuple(part.encode() for part in (body.split(token) if token else [body]))}
    response.headers["X-Page-Cache"] = "miss"
    return _with_validators(response)


def _with_validators(response):
    for name, value in cache_validators(g.page_cache["etag"], g.page_cache["last_modified"]):
        response.headers[name] = value
    return response
