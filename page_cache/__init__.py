"""The anonymous-page cache: a WSGI front that answers hits (front), the request hooks that mark a
page for storing (hooks), reads without a transaction (reads). init_app installs all of it."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the hooks in the order they must run, and the front around the app (after ProxyFix is
    decided: the front sits inside it, so it sees the client's address)."""
    from page_cache import hooks, reads
    from page_cache.front import PageCacheFront

    app.before_request(reads.read_without_transaction)  # first: it procures the request's connection
    app.before_request(hooks.prepare_page_cache)
    app.after_request(hooks.offer_for_caching)
    app.wsgi_app = PageCacheFront(app, app.wsgi_app)
