"""Readers' personal data: the "Your data" page, its mailed export and erasure links, and the
services (personal_data) that the admin's Privacy screen and a reader's account page also use.

Above blog, auth and notify: it imports them, they never import it.
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from privacy import views  # noqa: E402,F401  (routes register on bp)
