"""Blog commands for the flask CLI."""

import click
from flask import Flask

from blog.demo import load_demo_content


def register(app: Flask) -> None:
    @app.cli.command("load-demo")
    def load_demo() -> None:
        """Load the demo post when the blog has no posts yet."""
        added = load_demo_content()
        click.echo(f"Demo content: {added} post(s) added." if added else "Demo content: blog not empty, nothing added.")
