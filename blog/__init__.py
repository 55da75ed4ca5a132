from flask import Blueprint

bp = Blueprint("blog", __name__)

from blog import feeds, like_views, views  # noqa: E402,F401  (routes and hooks register on bp)
