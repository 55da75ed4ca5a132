"""Owner-account commands for the flask CLI."""

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app

from auth import services

MIN_PASSWORD_LENGTH = 8


def _valid_email(_ctx, _param, value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error)) from None


def _valid_password(_ctx, _param, value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters.")
    return value


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email", callback=_valid_email)
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        callback=_valid_password,
        help="Prompted for (hidden) when omitted.",
    )
    def create_admin(email: str, password: str) -> None:
        """Create an administrator, or set a new password for an existing one."""
        user, created = services.save_admin(email, password)
        verb = "created" if created else "updated"
        click.echo(f"Administrator {user.email} {verb}. Log in at /login.")

    @app.cli.command("create-demo-admin")
    def create_demo_admin() -> None:
        """Development only: make a demo administrator if there is none; show its password once."""
        if current_app.config.get("ENV_NAME") == "production":
            raise click.ClickException("create-demo-admin is for development, not production.")
        made = services.create_demo_admin()
        if made is None:
            click.echo("Demo administrator: an administrator already exists, nothing created.")
            return
        email, password = made
        click.echo("Demo administrator created (this password is shown only once):")
        click.echo(f"  email:    {email}")
        click.echo(f"  password: {password}")
        click.echo("  Log in at /login; set your own with `flask --app app create-admin EMAIL`.")
