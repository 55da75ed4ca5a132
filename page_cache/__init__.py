"""The anonymous-page cache: a WSGI front that answers hits (front), the request hooks that mark a
page for storing (hooks), the session listeners that make a change stale every stored page
(invalidation), reads without a transaction (reads).

`init_app(app)` is the one way in: it installs all of it on an app. Importing the package or its
modules registers nothing, so no hook depends on what was imported first.
"""

from flask import Flask

from extensions import db
from page_cache import hooks, invalidation
from page_cache.front import PageCacheFront


def init_app(app: Flask) -> None:
    """Install the cache on `app`: its hooks in the order they must run, its listeners on the app's
    session, and the front around the app (after ProxyFix is decided: the front sits inside it, so
    it sees the client's address)."""
    likes_shown = hooks.HeldCounter(app.config["PAGE_CACHE_LIKES_DELAY_SECONDS"])
    app.extensions[hooks.LIKES_SHOWN] = likes_shown  # one per app: the front and the hooks name a page alike
    app.before_request(hooks.prepare_page_cache)  # reads without a transaction, then checks the reader's copy
    app.after_request(hooks.offer_for_caching)
    invalidation.listen_to(db.session)  # public changes bump the version; their commits wait out its lease
    app.wsgi_app = PageCacheFront(app, app.wsgi_app, likes_shown)
