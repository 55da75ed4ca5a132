"""`flask mail send` (one pass, for cron), `flask mail worker` (loops), and the ways mail comes in:
`flask mail inbound` (an SMTP/LMTP listener) and `flask mail imap` (polls a mailbox)."""

import logging
import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.i18n import gettext as _
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
    interval = interval or current_app.config["MAIL_WORKER_INTERVAL"]
    click.echo(_("Mail worker: a pass every %(seconds)ss; Ctrl-C stops.", seconds=format(interval, "g")))
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
        click.echo(_("Mail worker stopped."))


@mail_cli.command("inbound")
@click.option("--host", default=None, help="Address to listen on (MAIL_INBOUND_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (MAIL_INBOUND_PORT).")
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP.")
def inbound_command(host: str | None, port: int | None, lmtp: bool) -> None:
    """Receive the replies to the blog's mail until interrupted, from the site's mail server."""
    from notify import reply_addresses
    from notify.inbound.listener import start_listener

    if not reply_addresses.enabled():
        raise click.ClickException(_("MAIL_REPLY_ADDRESS is not set: there is no address to receive mail for."))
    config = current_app.config
    host = host or config["MAIL_INBOUND_HOST"]
    port = port or config["MAIL_INBOUND_PORT"]
    try:
        controller = start_listener(current_app._get_current_object(), host, port, lmtp=lmtp)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise click.ClickException(_("Cannot listen on %(host)s:%(port)s: %(error)s", host=host, port=port,
                                      error=error)) from None
    click.echo(_("Receiving mail for %(address)s by %(protocol)s on %(host)s:%(port)s; Ctrl-C stops.",
                 address=config["MAIL_REPLY_ADDRESS"], protocol="LMTP" if lmtp else "SMTP", host=host, port=port))
    _stop_on_signals()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo(_("Inbound mail stopped."))
    finally:
        controller.stop()


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (a service manager's stop) both end the listener cleanly. Python leaves
    SIGINT alone when it started ignored, as for a command a script put in the background (&)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


@mail_cli.command("imap")
@click.option("--once", is_flag=True, help="Read the mailbox once and exit.")
def imap_command(once: bool) -> None:
    """Read the replies to the blog's mail from the MAIL_IMAP_* mailbox, every MAIL_WORKER_INTERVAL
    seconds until interrupted, or once."""
    from notify.inbound.imap import poll_mailbox

    if not current_app.config["MAIL_IMAP_HOST"]:
        raise click.ClickException(_("MAIL_IMAP_HOST is not set: there is no mailbox to read."))
    interval = current_app.config["MAIL_WORKER_INTERVAL"]
    if not once:
        click.echo(_("Reading %(mailbox)s on %(host)s every %(seconds)ss; Ctrl-C stops.",
                     mailbox=current_app.config["MAIL_IMAP_MAILBOX"], host=current_app.config["MAIL_IMAP_HOST"],
                     seconds=format(interval, "g")))
    try:
        while True:
            try:
                click.echo(poll_mailbox())
            except Exception:  # the database restarting...: the next pass tries again
                log.exception("IMAP pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo(_("IMAP polling stopped."))


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
