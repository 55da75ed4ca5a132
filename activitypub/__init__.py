"""ActivityPub: the blog as a fediverse actor that readers on other servers follow and reply to."""

from flask import Blueprint, Flask

bp = Blueprint("activitypub", __name__)

from activitypub import views  # noqa: E402,F401  (routes register on bp)


def init_app(app: Flask) -> None:
    """Install ActivityPub on an app: processing the inbox and delivering activities as the
    worker's passes, and the signal receivers that publish posts and the owner's replies."""
    from activitypub import receivers
    from core.worker import add_pass

    receivers.connect(app)
    add_pass(app, _inbox_pass)
    add_pass(app, _delivery_pass)


# The passes import their modules when they first run: a web worker, which never runs them, never
# loads the HTTP, signature and key libraries they need.
def _inbox_pass() -> str | None:
    from activitypub.inbox import inbox_pass

    return inbox_pass()


def _delivery_pass() -> str | None:
    from activitypub.delivery import delivery_pass

    return delivery_pass()
