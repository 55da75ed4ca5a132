"""`flask mail send` (one pass, for cron) and `flask mail worker` (loops)."""

import logging
import time

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from notify.sender import run_pass
from wordpress.wxr.jobs import run_queued_imports

log = logging.getLogger(__name__)

mail_cli = AppGroup("mail", help="Send the mail waiting in the outbox.")


@mail_cli.command("send")
def send_command() -> None:
    """Write due digests, try every due message once, and run queued WXR imports."""
    result = run_pass()
    click.echo(f"Mail: {result.sent} sent, {result.retried} to retry, {result.failed} failed.")
    if imports := run_queued_imports():
        click.echo(f"WordPress imports run: {imports}.")


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between passes.")
def worker_command(interval: float | None) -> None:
    """Send mail and run queued WXR imports until interrupted, every MAIL_WORKER_INTERVAL seconds."""
    from flask import current_app

    interval = interval or current_app.config["MAIL_WORKER_INTERVAL"]
    click.echo(f"Mail worker: a pass every {interval:g}s; Ctrl-C stops.")
    try:
        while True:
            try:
                run_pass()
                run_queued_imports()  # Tools -> Import uploads: too long for a web request
            except Exception:  # a bad pass (database restart...) must not end the worker
                log.exception("mail pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Mail worker stopped.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
