"""Work done outside web requests. Each part adds its pass (notify: send the outbox; wordpress: run
queued WXR imports; webmention and activitypub: verify, send and deliver) and the worker runs
every pass in the order they were added: `flask mail worker` in production, `flask mail send` from
cron, or make run's background thread. The parts stay unaware of each other."""

from collections.abc import Callable

from flask import Flask, current_app

_PASSES = "worker_passes"


def add_pass(app: Flask, run: Callable[[], str | None]) -> None:
    """Add a pass to the app's worker: run() does one round of its work and returns a line to
    report, or None when it had nothing to do."""
    app.extensions.setdefault(_PASSES, []).append(run)


def run_passes() -> list[str]:
    """One round of every pass of the current app, in order; what they reported."""
    return [report for run in current_app.extensions.get(_PASSES, []) if (report := run()) is not None]
