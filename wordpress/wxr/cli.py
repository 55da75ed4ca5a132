"""`flask wxr import FILE.xml` and `flask wxr export [FILE]`."""

import os
import sys
import time
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.i18n import gettext as _
from core.i18n import ngettext
from wordpress.wxr.exporter import write_wxr

if TYPE_CHECKING:
    from wordpress.wxr.importer import ImportReport

wxr = AppGroup("wxr", help="Move in from WordPress and out again (WXR export files).")


def register(app: Flask) -> None:
    app.cli.add_command(wxr)


class _ProgressBar:
    """Feeds a click progress bar with bytes read, and shows items done and the rate."""

    def __init__(self, bar):
        self.bar = bar
        self.position = 0
        self.started = time.perf_counter()
        self.shown = 0.0

    def __call__(self, position: int, report: "ImportReport", final: bool = False) -> None:
        now = time.perf_counter()
        if now - self.shown < 0.2 and not final:
            return
        self.shown = now
        done = report.items_read + report.comments_read
        rate = done / (now - self.started or 1e-9)
        items = ngettext("%(count)s item", "%(count)s items", report.items_read, count=format(report.items_read, ","))
        comments = ngettext("%(count)s comment", "%(count)s comments", report.comments_read,
                            count=format(report.comments_read, ","))
        label = _("%(items)s, %(comments)s, %(rate)s/s", items=items, comments=comments, rate=format(rate, ",.0f"))
        self.bar.update(max(position - self.position, 0), label)
        self.position = max(position, self.position)


@wxr.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--orphans",
    type=click.Choice(["error", "top-level"]),
    default="error",
    show_default=True,
    help="What to do with a reply whose parent comment is not in the file.",
)
@click.option(
    "--uploads-dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="A copy of the WordPress site's wp-content/uploads: its images are imported into the "
    "media library and the posts' image URLs rewritten to them.",
)
def import_command(file: str, orphans: str, uploads_dir: str | None) -> None:
    """Import a WordPress export (WXR 1.0 to 1.2); posts and comments all or nothing, then media."""
    # Here, not at the top: every app loads this module, and the importer's lxml is heavy and for imports only.
    from wordpress.wxr.importer import import_wxr
    from wordpress.wxr.reader import WXRError

    stream = click.get_binary_stream("stdin") if file == "-" else open(file, "rb")  # noqa: SIM115
    size = None if file == "-" else os.path.getsize(file)
    try:
        with click.progressbar(
            length=size or 1,
            label=_("Importing"),
            file=sys.stderr,
            item_show_func=lambda text: text,
            show_pos=False,
        ) as bar:
            progress = _ProgressBar(bar)
            report = import_wxr(stream, orphans=orphans, progress=progress, uploads_dir=uploads_dir)
            progress(bar.length, report, final=True)
    except WXRError as error:
        raise click.ClickException(_("%(file)s: %(error)s. Nothing was imported.", file=file, error=error)) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    for line in report.summary():
        click.echo(line)


@wxr.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--site-url",
    default=None,
    help="The blog's public address, for the links in the file (default: SITE_URL).",
)
@click.option("--include-spam", is_flag=True, help="Also export spam (WordPress leaves it out).")
def export_command(file: str | None, site_url: str, include_spam: bool) -> None:
    """Write the blog as WXR 1.2 to FILE (or standard output) for WordPress's importer."""
    if site_url:  # this command's process only: every URL is built on SITE_URL
        current_app.config["SITE_URL"] = site_url
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        if not file or file == "-":
            report = write_wxr(click.get_binary_stream("stdout"), include_spam=include_spam)
        else:
            partial = f"{file}.partial"
            with open(partial, "wb") as out:
                report = write_wxr(out, include_spam=include_spam)
            os.replace(partial, file)  # a failed export never leaves a half file under FILE
    click.echo(report.summary(), err=True)
