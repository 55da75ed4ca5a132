from flask import Blueprint

bp = Blueprint("blog", __name__)

from blog import views  # noqa: E402,F401  (routes register on bp)
from blog import legacy  # noqa: E402,F401  (WordPress URLs that redirect to permalinks)
