"""Whole-page caching for anonymous readers, checked against one version row in the database.

Any change a public page could show (an approved comment, a post, a setting, a like) bumps the
version in the same transaction, so every app server sees it at once and a cached page is never
stale. The CSRF token is cut out before a page is stored and each reader's own is put back.
"""

import hashlib

import sqlalchemy as sa
from flask import Flask, g, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from blog import bp
from blog.commenters import AUTHOR_COOKIE
from blog.models import Comment, CommentLike, Post, PostLike, Setting, SiteState, Term
from extensions import cache, db

CACHED_ENDPOINTS = {"blog.index", "blog.post"}
TOKEN_MARK = "\x1fcsrf-token\x1f"
# Session keys that make a page personal: a log-in, held comments, flashed messages.
PERSONAL_SESSION_KEYS = {"_user_id", "pending_comments", "_flashes"}
PUBLIC_MODELS = (Post, Setting, Term, PostLike, CommentLike)


def _is_anonymous_reader() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and AUTHOR_COOKIE not in request.cookies
        and not PERSONAL_SESSION_KEYS.intersection(session.keys())
    )


def _current_version() -> tuple[int, object]:
    row = g.get("site_state")
    if row is None:
        row = g.site_state = db.session.execute(
            sa.select(SiteState.content_version, SiteState.changed_at).where(SiteState.id == 1)
        ).first() or (0, None)
    return row


@bp.before_request
def serve_from_cache():
    """Answer an anonymous reader from the cache (or with 304) before the view runs."""
    if request.endpoint not in CACHED_ENDPOINTS or not _is_anonymous_reader():
        return None
    version, changed_at = _current_version()
    key = f"page:{version}:{request.full_path}"
    g.page_cache = {"key": key, "etag": hashlib.sha1(key.encode()).hexdigest()[:20], "changed_at": changed_at}
    if g.page_cache["etag"] in request.if_none_match:
        return _with_validators(Flask.response_class(status=304))
    body = cache.get(key)
    if body is None:
        return None
    response = Flask.response_class(body.replace(TOKEN_MARK, generate_csrf()), mimetype="text/html")
    response.headers["X-Page-Cache"] = "hit"
    return _with_validators(response)


@bp.after_request
def store_in_cache(response):
    """Keep a freshly rendered anonymous page, without its reader's CSRF token."""
    entry = g.get("page_cache")
    if not entry or response.status_code != 200 or "X-Page-Cache" in response.headers:
        return response
    body = response.get_data(as_text=True)
    token = g.get("csrf_token")
    cache.set(entry["key"], body.replace(token, TOKEN_MARK) if token else body)
    response.headers["X-Page-Cache"] = "miss"
    return _with_validators(response)


def _with_validators(response):
    entry = g.page_cache
    response.set_etag(entry["etag"])
    if entry["changed_at"] is not None:
        response.last_modified = entry["changed_at"]
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def _shows_on_public_pages(obj) -> bool:
    if isinstance(obj, PUBLIC_MODELS):
        return True
    if isinstance(obj, Comment):
        history = sa.inspect(obj).attrs.status.history
        return "approved" in (list(history.added or []) + list(history.deleted or []) + [obj.status])
    return False


@sa.event.listens_for(Session, "after_flush")
def bump_version_on_public_change(session: Session, _flush_context) -> None:
    """In the flushing transaction, bump the version when a public page's content changed."""
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if any(_shows_on_public_pages(obj) for obj in changed):
        session.connection().execute(
            sa.update(SiteState).where(SiteState.id == 1)
            .values(content_version=SiteState.content_version + 1, changed_at=sa.func.now())
        )

