from flask import Blueprint

bp = Blueprint("notify", __name__)

from notify import views  # noqa: E402,F401  (routes register on bp)
