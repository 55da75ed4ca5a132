"""`flask mail send` (one pass, for cron) and `flask mail worker` (loops)."""

import logging
import time

import click
from flask import Flask
from flask.cli import AppGroup

from core.worker import run_passes
from extensions import db

log = logging.getLogger(__name__)

mail_cli = AppGroup("mail", help="Send the mail waiting in the outbox.")


@mail_cli.command("send")
def send_command() -> None:
    """Write due digests, try every due message once, and run the worker's other passes once
    (queued WXR imports, Webmentions, the fediverse inbox and deliveries)."""
    for report in run_passes():
        click.echo(report)


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between passes.")
def worker_command(interval: float | None) -> None:
    """Run the worker's passes (the mail, queued WXR imports, Webmentions, the fediverse inbox and
    deliveries) until interrupted, every MAIL_WORKER_INTERVAL seconds."""
    from flask import current_app

    interval = interval or current_app.config["MAIL_WORKER_INTERVAL"]
    click.echo(f"Mail worker: a pass every {interval:g}s; Ctrl-C stops.")
    try:
        while True:
            try:
                run_passes()
            except Exception:  # a bad pass (database restart...) must not end the worker
                log.exception("worker pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Mail worker stopped.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
