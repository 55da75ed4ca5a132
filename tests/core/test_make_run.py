"""`make run` as a newcomer runs it: its own sign-in provider on a free port, and a clear stop when one is taken."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None or not (ROOT / ".venv/bin/flask").exists(),
                                reason="make run needs make and the project's .venv (make test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_run(tmp_path: Path, name: str, port: int | None = None, **variables) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite", "BLOG_ENV": "development",
                        "SECRET_KEY": "make-run-test"}
    env.pop("SITE_URL", None)
    port = port or _free_port()
    args = ["make", "--no-print-directory", "run", f"PORT={port}", *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _signin_port(process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if match := re.search(r"Development sign-in provider: http://127\.0\.0\.1:(\d+)", line):
            return int(match[1])
        if not line and process.poll() is not None:
            break
    raise AssertionError("make run never said where its sign-in provider is")


def _stop(process: subprocess.Popen) -> None:
    """Stop it as Ctrl-C in its terminal would; a run that outlives that is a failure, cleaned up."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError("make run (or its sign-in provider) did not stop on SIGTERM") from None


def test_two_make_runs_each_start_their_own_sign_in_provider_and_a_taken_port_stops_with_a_message(tmp_path):
    first = _make_run(tmp_path, "first")
    try:
        taken = _signin_port(first)
        second_port = _free_port()
        second = _make_run(tmp_path, "second", port=second_port)
        try:
            assert _signin_port(second) != taken
            _get_when_up(f"http://127.0.0.1:{second_port}/healthz")  # stopped once serving, as a person would
        finally:
            _stop(second)
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            busy = holder.getsockname()[1]
            holder.listen()
            third = _make_run(tmp_path, "third", DEV_SIGNIN_PORT=busy)
            output, _ = third.communicate(timeout=60)
        assert third.returncode != 0
        assert f"DEV_SIGNIN_PORT={busy} is taken" in output
    finally:
        _stop(first)


def test_make_run_on_another_port_builds_its_links_on_that_port(tmp_path):
    port = _free_port()
    blog = _make_run(tmp_path, "links", port=port)
    try:
        _signin_port(blog)
        feed = _get_when_up(f"http://127.0.0.1:{port}/feed/")
        assert f"<link>http://127.0.0.1:{port}/" in feed and ":5000" not in feed
    finally:
        _stop(blog)


def _get_when_up(url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
