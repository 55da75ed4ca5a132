"""`flask comments ...`: moderation chores meant for cron."""

import click

from admin import bp
from blog.comment_drafts import purge_old_drafts
from blog.moderation import purge_old_trash
from blog.retention import forget_old_ips
from blog.settings import get_settings
from blog.spam import filter as spam_filter
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db


@bp.cli.command("purge-trash")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Age in days (default: the empty_trash_days setting).")
def purge_trash(days: int | None) -> None:
    """The daily chores: delete comments trashed longer than empty_trash_days, comment drafts held
    through a log-in over a day ago, and commenters' IPs and user agents older than
    comment_ip_retention_days."""
    settings = get_settings()
    now = utcnow()
    days = int(settings["empty_trash_days"]) if days is None else days
    removed = purge_old_trash(days, now)
    # English keeps "(s)" in both forms (scripts read these lines); other languages get their plurals.
    click.echo(ngettext("Deleted %(num)d comment(s) trashed more than %(days)d day(s) ago.",
                        "Deleted %(num)d comment(s) trashed more than %(days)d day(s) ago.", removed, days=days))
    click.echo(ngettext("Deleted %(num)d comment draft(s) older than a day.",
                        "Deleted %(num)d comment draft(s) older than a day.", purge_old_drafts(now)))
    keep_days = settings["comment_ip_retention_days"]
    if keep_days is None:
        click.echo(_("IP addresses and user agents are kept (comment_ip_retention_days is empty)."))
        return
    cleared = forget_old_ips(int(keep_days), now)
    click.echo(ngettext("Removed the IP address and user agent of %(num)d comment(s) older than %(days)d day(s).",
                        "Removed the IP address and user agent of %(num)d comment(s) older than %(days)d day(s).",
                        cleared, days=int(keep_days)))


@bp.cli.command("rebuild-spam-filter")
@click.option("--include-unmoderated", is_flag=True,
              help="Also learn approved and spam comments no moderator moved (the rules', an import's).")
def rebuild_spam_filter(include_unmoderated: bool) -> None:
    """Learn the spam filter afresh from the moderation history: every comment now in the spam or
    approved, in the order moderators moved them there."""
    spam, ham = spam_filter.rebuild(include_unmoderated)
    db.session.commit()
    click.echo(ngettext("Spam filter rebuilt: learnt %(spam)d spam and %(num)d approved comment.",
                        "Spam filter rebuilt: learnt %(spam)d spam and %(num)d approved comments.", ham, spam=spam))
