"""`flask db ...`: Flask-Migrate's commands, with Flask-Migrate bound only when one of them runs.

Flask-Migrate brings Alembic, Mako and every SQLAlchemy dialect (heavy in every process) and serves no
request, so the app registers this stand-in for its `db` group instead of binding it at start-up.
"""

import logging

import click
from flask import Flask
from flask.cli import ScriptInfo

from extensions import db


def bind_migrate(app: Flask) -> None:
    """Flask-Migrate for this app: app.extensions["migrate"] and the real `db` group in app.cli."""
    # Alembic logs each plugin it sets up as it is imported: noise now that the app has configured logging.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from flask_migrate import Migrate

    Migrate(app, db, directory=app.root_path + "/migrations", render_as_batch=True)


class MigrateCommands(click.Group):
    """Stands for Flask-Migrate's `db` group until it runs (`flask --help` lists it without loading it)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        app = parent.ensure_object(ScriptInfo).load_app()
        bind_migrate(app)  # replaces this stand-in in app.cli with Flask-Migrate's group
        return app.cli.commands["db"].make_context(info_name, args, parent=parent, **extra)


def register(app: Flask) -> None:
    app.cli.add_command(MigrateCommands("db", help="Perform database migrations (Flask-Migrate)."))
