"""Error pages: every failure a visitor can meet is a styled page with the right status."""

import logging
import sqlite3
import sys
import uuid

from flask import Flask, g, render_template, request
from flask_babel import format_number
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
    SecurityError,
    TooManyRequests,
)

from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
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

# The error pages' headings: werkzeug names each status in English only.
STATUS_NAMES = {
    400: _l("Bad Request"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    410: _l("Gone"),
    413: _l("Request Entity Too Large"),
    429: _l("Too Many Requests"),
}
# werkzeug's and Flask-WTF's own English explanations, by their text: a view's own description is
# shown as that view wrote it.
LIBRARY_DESCRIPTIONS = {
    BadRequest.description: _l("The browser (or proxy) sent a request that this server could not understand."),
    Forbidden.description: _l("You don't have the permission to access the requested resource. It is either "
                              "read-protected or not readable by the server."),
    NotFound.description: _l("The requested URL was not found on the server. If you entered the URL manually "
                             "please check your spelling and try again."),
    MethodNotAllowed.description: _l("The method is not allowed for the requested URL."),
    Conflict.description: _l("A conflict happened while processing the request. The resource might have been "
                             "modified while the request was being processed."),
    Gone.description: _l("The requested URL is no longer available on this server and there is no forwarding "
                         "address. If you followed a link from a foreign page, please contact the author of this "
                         "page."),
    RequestEntityTooLarge.description: _l("The data value transmitted exceeds the capacity limit."),
    TooManyRequests.description: _l("This user has exceeded an allotted request count. Try again later."),
    "The CSRF token is missing.": _l("The CSRF token is missing."),
    "The CSRF session token is missing.": _l("The CSRF session token is missing."),
    "The CSRF token has expired.": _l("The CSRF token has expired."),
    "The CSRF token is invalid.": _l("The CSRF token is invalid."),
    "The CSRF tokens do not match.": _l("The CSRF tokens do not match."),
}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)
    app.add_template_global(http_error_name)
    app.add_template_global(http_error_text)


def http_error_name(error: HTTPException) -> str:
    """The heading of an error page: the status's name in the blog's language."""
    name = STATUS_NAMES.get(error.code)
    return str(name) if name is not None else error.name


def http_error_text(error: HTTPException) -> str | None:
    """What an error page explains: the view's own words, or a library's default in the blog's language."""
    known = LIBRARY_DESCRIPTIONS.get(error.description)
    return str(known) if known is not None else error.description


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # the view made this error's page itself (a comment form re-shown)
        return error.response
    if isinstance(error, RequestEntityTooLarge):
        limit = request.max_content_length or 0
        error.description = _("What you sent is larger than this site accepts here (at most %(size)s KB). "
                              "Nothing was saved: please shorten it and try again.",
                              size=format_number(limit // 1024))
    response = render_template("errors/error.html", error=error), error.code
    return response


def _untrusted_host(_error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: plain text, as no URL can be built for such a request."""
    return (_("400 Bad Request: this site does not answer to that host name.") + "\n", 400,
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
