from flask import Blueprint

bp = Blueprint("blog", __name__)

from blog import feeds, legacy, like_views, page_cache, read_only, views  # noqa: E402,F401  (routes and hooks register on bp)
