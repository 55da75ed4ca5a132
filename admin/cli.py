"""`flask comments ...`: moderation chores meant for cron."""

import click

from admin import bp
from blog.moderation import purge_old_trash
from blog.settings import get_settings
from core.dbtypes import utcnow


@bp.cli.command("purge-trash")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Age in days (default: the empty_trash_days setting).")
def purge_trash(days: int | None) -> None:
    """Delete comments that have been in the trash longer than empty_trash_days."""
    days = int(get_settings()["empty_trash_days"]) if days is None else days
    removed = purge_old_trash(days, utcnow())
    click.echo(f"Deleted {removed} comment(s) trashed more than {days} day(s) ago.")
