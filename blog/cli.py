"""Blog commands for the flask CLI."""

import click
from flask import Flask

from blog import terms
from blog.counters import recount
from blog.demo import load_demo_content
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db


def register(app: Flask) -> None:
    @app.cli.command("load-demo")
    def load_demo() -> None:
        """Load the demo post when the blog has no posts yet."""
        added = load_demo_content()
        click.echo(ngettext("Demo content: %(num)d post(s) added.", "Demo content: %(num)d post(s) added.", added)
                   if added else _("Demo content: blog not empty, nothing added."))

    @app.cli.command("recount")
    def recount_command() -> None:
        """Set the comment, thread and like counts of every post and comment, and every category's
        and tag's post count, to what the rows say."""
        terms.recount(None)
        db.session.commit()
        repairs, comments = recount()
        for repair in repairs:
            click.echo(f"post {repair.post_id} ({repair.slug}): {repair.counter} {repair.was} -> {repair.now}")
        if comments:
            click.echo(ngettext("%(num)d comment(s) had a wrong like count; corrected.",
                                "%(num)d comment(s) had a wrong like count; corrected.", comments))
        posts = len({repair.post_id for repair in repairs})
        click.echo(ngettext("Recount: %(num)d count(s) corrected on %(posts)d post(s).",
                            "Recount: %(num)d count(s) corrected on %(posts)d post(s).", len(repairs), posts=posts)
                   if repairs or comments else _("Recount: every count was right; nothing changed."))
