"""ActivityPub: the blog as a fediverse actor that readers on other servers follow and reply to."""

from flask import Blueprint, Flask

bp = Blueprint("activitypub", __name__)

from activitypub import views  # noqa: E402,F401  (routes register on bp)


def init_app(app: Flask) -> None:
    """Install ActivityPub on an app: processing the inbox and delivering activities as the
    worker's passes, and the signal receivers that publish posts and the owner's replies."""
    from activitypub import delivery, inbox, receivers
    from core.worker import add_pass

    receivers.connect(app)
    add_pass(app, inbox.inbox_pass)
    add_pass(app, delivery.delivery_pass)
