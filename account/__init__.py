"""A reader's own account page at /account: their name, comments, subscriptions, log-ins and data.

Above blog, auth, notify and privacy in the dependency order: it shows what each keeps of the reader.
"""

from flask import Blueprint

bp = Blueprint("account", __name__)

from account import views  # noqa: E402,F401  (routes register on bp)
