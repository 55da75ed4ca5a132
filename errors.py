"""Error pages: every failure a visitor can meet is a styled page with the right status."""

import logging
import sqlite3
import sys
import uuid

from flask import Flask, g, render_template, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, SecurityError

from extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# SQLSTATE classes of failures that pass: connection exception, insufficient resources,
# operator intervention (shutdown, cancel), transaction rollback (serialization, deadlock).
TRANSIENT_SQLSTATE_CLASSES = {"08", "53", "57", "40"}
TRANSIENT_SQLSTATES = {"55P03"}  # lock_not_available
SQLITE_TRANSIENT = ("database is locked", "database table is locked", "unable to open database file",
                    "disk i/o error")
# What a comment form sends; re-shown on the 503 page so nothing the reader typed is lost.
COMMENT_FIELDS = ("author", "email", "url", "comment", "comment_parent", "comment_post_ID")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # the view made this error's page itself (a comment form re-shown)
        return error.response
    if isinstance(error, RequestEntityTooLarge):
        limit = request.max_content_length or 0
        error.description = (f"What you sent is larger than this site accepts here (at most "
                             f"{limit // 1024:,} KB). Nothing was saved: please shorten it and try again.")
    response = render_template("errors/error.html", error=error), error.code
    return response


def _untrusted_host(_error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: plain text, as no URL can be built for such a request."""
    return ("400 Bad Request: this site does not answer to that host name.\n", 400,
            {"Content-Type": "text/plain; charset=utf-8"})


def database_unreachable(error: DBAPIError) -> bool:
    """True when the database could not be reached or is briefly overloaded, not when a query is wrong."""
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES or sqlstate in TRANSIENT_SQLSTATES
    if isinstance(original, sqlite3.Error):
        return str(original).lower().startswith(SQLITE_TRANSIENT)
    # psycopg gives no SQLSTATE when it never reached the server (refused, timed out, reset).
    return type(original).__name__ == "OperationalError"


def answering_a_failure() -> bool:
    """Whether the page being rendered answers an unexpected error or a database outage: the database
    may be what failed, so what a page adds for the logged-in user is left out rather than read again
    (a 404 or a 403 page keeps it)."""
    failure = sys.exception()
    return failure is not None and not isinstance(failure, HTTPException)


def _database_error(error: DBAPIError):
    if database_unreachable(error):
        return _database_unavailable(error)
    return _unexpected_error(error)


def _database_unavailable(error: Exception):
    """A database outage is a 503 that asks the reader to come back, never a traceback."""
    _rollback_quietly()
    log.error("database unavailable on %s %s [request %s]: %s", request.method, request.path,
              getattr(g, "request_id", "-"), getattr(error, "orig", error))
    kept = None
    if request.method == "POST" and request.endpoint == "blog.comment_post":
        kept = {name: request.form.get(name, "") for name in COMMENT_FIELDS}
    body = render_template("errors/unavailable.html", kept=kept, csrf_token=_csrf_token_or_none(),
                           retry_after=RETRY_AFTER_SECONDS)
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _csrf_token_or_none() -> str | None:
    try:
        return generate_csrf()  # lives in the session cookie: no database needed
    except Exception:  # noqa: BLE001  (no secret key or session: the form is shown without a token)
        return None


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection is gone; the pool discards it)
        log.debug("rollback failed after a database error", exc_info=True)


def _unexpected_error(error: Exception):
    _rollback_quietly()
    request_id = getattr(g, "request_id", None) or uuid.uuid4().hex[:12]
    log.exception("unhandled error on %s %s [request %s]", request.method, request.path, request_id)
    return render_template("errors/500.html", request_id=request_id), 500
