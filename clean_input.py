"""Text input hygiene shared by every route: no NUL characters reach the views or the database.

PostgreSQL cannot store NUL (U+0000) in text and SQLite would keep it invisibly, so NUL is
removed from every query-string and form value as the request parses them (WordPress strips it
from submitted text in the same way), and a path holding one matches no page (404).
Invalid UTF-8 (lone surrogates included) is already replaced with U+FFFD by the form parser.
"""

from flask import Flask, Request, render_template, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import NotFound


def without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL characters removed from names and values."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = list(mapping.items(multi=True))
        if mapping is not None and not isinstance(mapping, dict):
            mapping = [(without_nul(key), without_nul(value)) for key, value in mapping]
        super().__init__(mapping)


class CleanRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def _refuse_nul_in_path():
    # Answered here rather than with abort(): 404 handlers that look the path up must not see it.
    if "\x00" in request.path:
        return render_template("errors/error.html", error=NotFound()), 404
    return None


def register(app: Flask) -> None:
    app.request_class = CleanRequest
    app.before_request(_refuse_nul_in_path)
