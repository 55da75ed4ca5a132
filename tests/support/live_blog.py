"""The blog served over real HTTP on 127.0.0.1 (a werkzeug server thread) at its own SITE_URL, so
that other servers (a fake fediverse server, a fake blog, a second copy of the blog) can fetch from
it and post to it as they would on the internet."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from tests.support.servers import free_port


@dataclass
class LiveBlog:
    app: Flask
    url: str

    @property
    def inbox(self) -> str:
        return f"{self.url}/ap/inbox"


@contextmanager
def serve_blog(app_factory: Callable[..., Flask], database_file: Path | None, **overrides) -> Iterator[LiveBlog]:
    """A new app, served until the block ends. `database_file`: an SQLite file of its own (an
    in-memory database is private to each thread's connection), or None for the tests' database."""
    port = free_port()
    overrides = {"SITE_URL": f"http://127.0.0.1:{port}", **overrides}
    if database_file is not None:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"
    app = app_factory(**overrides)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LiveBlog(app, f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()
