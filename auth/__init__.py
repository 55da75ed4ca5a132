from flask import Blueprint

# Registered without a URL prefix: the owner log-in lives at /login, social log-in under /auth/.
bp = Blueprint("auth", __name__)

from auth import invite_views, templating, views  # noqa: E402,F401  (routes and globals register on bp)
