"""Input hygiene shared by every route: no NUL character and no out-of-range number reach the database.

PostgreSQL cannot store NUL (U+0000) in text and SQLite would keep it invisibly, so NUL is
removed from every query-string and form value as the request parses them (WordPress strips it
from submitted text in the same way), and a path holding one matches no page (404).
Invalid UTF-8 (lone surrogates included) is kept percent-encoded by Werkzeug's form parser.

Numbers in URLs, query strings and forms (ids, page numbers) larger than the database's integer are
treated as absent or refused (DatabaseIntegerField): `/posts/99999999999/comments` is a 404 and
`?page=1e30`-like values are ignored, where the database would otherwise fail with "integer out of
range".
"""

from urllib.parse import SplitResult, urlsplit

from flask import Flask, Request, render_template, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField

from core.i18n import gettext as _

DB_INT_MAX = 2**31 - 1  # PostgreSQL's integer, the type of every id column


def database_int(value) -> int | None:
    """`value` as an int the database can compare with its ids, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -DB_INT_MAX <= number <= DB_INT_MAX else None


def web_address(url) -> SplitResult | None:
    """The parts of an absolute http(s) URL with a host, else None. For addresses strangers send
    (Webmentions, fediverse documents, links in their pages): urlsplit raises on some of them (an
    unclosed IPv6 bracket), and a raise there would be a 500 or a lost mention."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return parts if parts.scheme.lower() in ("http", "https") and host else None


def host_of(url: str) -> str:
    """The lower-case host of a URL, without port or trailing dot ("" when it has none or is malformed)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def stripped(value):
    """A form field filter: text without its surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL characters removed from names and values."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = list(mapping.items(multi=True))
        if mapping is not None and not isinstance(mapping, dict):
            mapping = [(without_nul(key), without_nul(value)) for key, value in mapping]
        super().__init__(mapping)

    def get(self, key, default=None, type=None):  # noqa: A002  (Werkzeug's own parameter name)
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and database_int(value) is None:
            return default
        return value


class DatabaseIntegerField(IntegerField):
    """A form's IntegerField that holds only numbers the database can hold.

    A larger one is a field error and leaves `data` None, so neither validation nor a re-rendered
    form (which looks the number up) ever sends it to the database.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and database_int(self.data) is None:
            self.data = None
            raise ValueError(_("Not a valid integer value."))


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only numbers the database can hold (others are a 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


class CleanRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def _refuse_nul_in_path():
    # Answered here rather than with abort(): 404 handlers that look the path up must not see it.
    if "\x00" in request.path:
        return render_template("errors/error.html", error=NotFound()), 404
    return None


def register(app: Flask) -> None:
    """Call before the blueprints are registered, so that their routes use the bounded `int`."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(_refuse_nul_in_path)
