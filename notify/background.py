"""The development worker: a thread that `make run` gets, started by the first request, running
the worker's passes (core.worker: the mail, queued imports) as `flask mail worker` does.

Why on the first request and not in create_app: the factory stays free of side effects, so
`flask db upgrade`, `flask mail send`, the reloader's watcher process and every test build an
app without starting threads; only the process that actually serves pages sends.
"""

import logging
import threading

from flask import Flask

from core.worker import run_passes
from extensions import db

log = logging.getLogger(__name__)


class BackgroundSender:
    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start_once(self) -> None:
        with self._lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
                self.thread.start()
                log.info("mail: sending from a background thread (MAIL_BACKGROUND_THREAD)")

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        interval = self.app.config["MAIL_WORKER_INTERVAL"]
        while not self.stopping.is_set():
            with self.app.app_context():
                try:
                    run_passes()
                except Exception:
                    log.exception("worker pass failed")
                    db.session.rollback()
            self.stopping.wait(interval)


def init_app(app: Flask) -> None:
    """Arrange the sender thread when MAIL_BACKGROUND_THREAD is on, never under TESTING."""
    if not app.config.get("MAIL_BACKGROUND_THREAD") or app.testing:
        return
    sender = app.extensions["mail_background_sender"] = BackgroundSender(app)
    app.before_request(sender.start_once)
