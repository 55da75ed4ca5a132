"""WordPress compatibility: WXR import and export (wordpress.wxr, its CLI), and WordPress's other
addresses for a post (wordpress.legacy)."""

from flask import Blueprint, Flask

bp = Blueprint("wordpress", __name__)

from wordpress import legacy  # noqa: E402,F401  (routes and hooks register on bp)


def init_app(app: Flask) -> None:
    """Uploaded WordPress exports are imported by the worker (core.worker), not in a request."""
    from core.worker import add_pass
    from wordpress.wxr.jobs import import_pass

    add_pass(app, import_pass)
