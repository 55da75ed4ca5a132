"""Real servers for tests: a free port on 127.0.0.1, and the blog under gunicorn as production runs it.

The benchmark (bench/run.py) has its own Server with memory and log reading; tests do not import
bench/, so that the benchmark can change without breaking them.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The production command line (README, Production layout), so that a test sees what production serves.
GUNICORN_COMMAND = [sys.executable, "-OO", "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn serving one app on a free port of 127.0.0.1, its output in `log`."""

    def __init__(self, app: str, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers)}
        self.process = subprocess.Popen(
            [*GUNICORN_COMMAND, app], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=log.open("w"), start_new_session=True)
        self._wait()

    def _wait(self) -> None:
        for _ in range(150):
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the master and its workers (their own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)
