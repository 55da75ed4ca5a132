"""Which answer a request asks for: the scripts that act in place (likes, edits, moderation,
uploads) ask for JSON; a browser without them gets the page."""

from flask import request


def wants_json() -> bool:
    """Whether the request prefers JSON to HTML (its Accept header)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
