"""The blog served over real HTTP on 127.0.0.1 (a werkzeug server thread), and a fake fediverse
server beside it: each fetches the other's actors and keys as real servers do."""

import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import ON_POSTGRES
from tests.support.fediverse_server import FediverseServer
from tests.support.servers import free_port


@dataclass
class LiveBlog:
    app: Flask
    url: str

    @property
    def inbox(self) -> str:
        return f"{self.url}/ap/inbox"


@pytest.fixture
def fediverse():
    server = FediverseServer()
    yield server
    server.stop()


@pytest.fixture
def live_blog(app_factory, tmp_path):
    """The blog on a port of its own (SITE_URL names it), with the test inside its app context.

    On SQLite the database is a file: an in-memory one is private to each thread's connection.
    """
    port = free_port()
    overrides = {"SITE_URL": f"http://127.0.0.1:{port}"}
    if not ON_POSTGRES:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'blog.sqlite'}"
    app = app_factory(**overrides)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with app.test_request_context():
            yield LiveBlog(app, f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()
