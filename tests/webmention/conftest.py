"""Fixtures for the Webmention tests: another blog on 127.0.0.1, and a record of every connection
the process opens (so a test can prove that nothing left 127.0.0.1)."""

import socket
import sys
import threading

import pytest

from tests.support.fake_blog import FakeBlog

_CONNECTIONS: list[list] = []  # the lists of the tests that are watching right now


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect" and _CONNECTIONS:
        address = args[1]
        if isinstance(address, tuple):
            for watching in _CONNECTIONS:
                watching.append(address[:2])


sys.addaudithook(_audit)  # audit hooks cannot be removed: it records only while a test watches


@pytest.fixture
def connections():
    """The (address, port) every socket of this process connects to during the test."""
    seen: list[str] = []
    _CONNECTIONS.append(seen)
    yield seen
    _CONNECTIONS.remove(seen)


@pytest.fixture
def fake_blog():
    blog = FakeBlog()
    yield blog
    blog.stop()


class Listener:
    """A TCP port on another loopback address that counts the connections it accepts."""

    def __init__(self, host: str):
        self.accepted = 0
        self._socket = socket.create_server((host, 0))
        self._socket.settimeout(0.05)
        self.url = f"http://{host}:{self._socket.getsockname()[1]}/"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(2)
        self._socket.close()


@pytest.fixture
def private_listener():
    """Something listening on 127.0.0.2, an address the blog may not fetch from."""
    listener = Listener("127.0.0.2")
    yield listener
    listener.stop()
