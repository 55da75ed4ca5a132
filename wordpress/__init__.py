"""WordPress compatibility: WXR import and export (wordpress.wxr, its CLI), and WordPress's other
addresses for a post (wordpress.legacy)."""

from flask import Blueprint

bp = Blueprint("wordpress", __name__)

from wordpress import legacy  # noqa: E402,F401  (routes and hooks register on bp)
