"""/media/<file>: the library's public files, served by the app (development, and the database
storage); a proxy serves the folder storage itself in production (README, Deploying)."""

from flask import abort

from blog import bp
from blog.media.storage import storage


@bp.route("/media/<path:key>")
def media_file(key: str):
    """A public media file, to anyone, with long cache headers and an ETag."""
    answer = storage().response(key)
    if answer is None:
        abort(404)
    # The files are images we wrote ourselves; should one ever be opened as a page, it runs nothing.
    answer.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    answer.headers["Cross-Origin-Resource-Policy"] = "same-site"
    return answer
