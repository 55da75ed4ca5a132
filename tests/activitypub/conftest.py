"""The blog served over real HTTP on 127.0.0.1, and a fake fediverse server beside it: each
fetches the other's actors and keys as real servers do."""

import pytest

from tests.conftest import ON_POSTGRES
from tests.support.fediverse_server import FediverseServer
from tests.support.live_blog import serve_blog


@pytest.fixture
def fediverse():
    server = FediverseServer()
    yield server
    server.stop()


@pytest.fixture
def live_blog(app_factory, tmp_path):
    """The blog on a port of its own (SITE_URL names it), with the test inside its app context."""
    with serve_blog(app_factory, None if ON_POSTGRES else tmp_path / "blog.sqlite") as blog:
        with blog.app.test_request_context():
            yield blog
