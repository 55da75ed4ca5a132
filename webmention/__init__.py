"""Webmention (W3C): the endpoint other sites notify when they link a post, verified in the
background, and the mentions the blog sends when a post links other pages."""

from flask import Blueprint, Flask

bp = Blueprint("webmention", __name__)

from webmention import views  # noqa: E402,F401  (routes register on bp)


def init_app(app: Flask) -> None:
    """Install Webmention on an app: verifying received and sending queued mentions as the
    worker's pass, and the signal receivers that queue a published post's mentions."""
    from core.worker import add_pass
    from webmention import receivers

    receivers.connect(app)
    add_pass(app, _webmention_pass)


def _webmention_pass() -> str | None:
    """The worker's pass, imported when it first runs: a web worker never loads the fetching and
    parsing libraries it needs."""
    from webmention.worker import webmention_pass

    return webmention_pass()
