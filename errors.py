"""Error pages: every failure a visitor can meet is a styled page with the right status."""

import logging
import uuid

from flask import Flask, g, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from extensions import db

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    response = render_template("errors/error.html", error=error), error.code
    return response


def _database_unavailable(error: OperationalError):
    """A database outage is a 503 that asks the reader to come back, never a traceback."""
    db.session.rollback()
    log.error("database unavailable: %s", error.orig)
    body = render_template("errors/unavailable.html")
    return body, 503, {"Retry-After": "30"}


def _unexpected_error(error: Exception):
    db.session.rollback()
    request_id = getattr(g, "request_id", None) or uuid.uuid4().hex[:12]
    log.exception("unhandled error on %s %s [request %s]", request.method, request.path, request_id)
    return render_template("errors/500.html", request_id=request_id), 500
