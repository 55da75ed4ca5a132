"""Account commands for the flask CLI: create-admin, and `users` for operators and scripts."""

import math

import click
from flask import Flask, current_app, url_for

from auth import accounts, invites, services
from auth.roles import ROLE_LABELS
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db


def _valid_email(_ctx, _param, value: str) -> str:
    try:
        return accounts.normalized_email(value)
    except accounts.AccountError as error:
        raise click.BadParameter(str(error)) from None


def _valid_password(_ctx, _param, value: str) -> str:
    try:
        return accounts.check_password(value)  # the rule the Users screen and the profile use
    except accounts.AccountError as error:
        raise click.BadParameter(str(error)) from None


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
        if created:
            click.echo(_("Administrator %(email)s created. Log in at /login.", email=user.email))
        else:
            click.echo(_("Administrator %(email)s updated. Log in at /login.", email=user.email))

    @app.cli.command("create-demo-admin")
    def create_demo_admin() -> None:
        """Development only: make a demo administrator if there is none; show its password once."""
        if current_app.config.get("ENV_NAME") == "production":
            raise click.ClickException(_("create-demo-admin is for development, not production."))
        made = services.create_demo_admin()
        if made is None:
            click.echo(_("Demo administrator: an administrator already exists, nothing created."))
            return
        email, password = made
        click.echo(_("Demo administrator created (this password is shown only once):"))
        click.echo(_("  email:    %(email)s", email=email))
        click.echo(_("  password: %(password)s", password=password))
        click.echo(_("  Log in at /login; set your own with `flask --app app create-admin EMAIL`."))

    register_users(app)


def register_users(app: Flask) -> None:
    users = click.Group("users", help="List, create, change the role of and remove accounts.")
    app.cli.add_command(users)
    role_choice = click.Choice(list(ROLE_LABELS), case_sensitive=False)

    @users.command("create")
    @click.argument("email")
    @click.option("--role", required=True, type=role_choice, help="One of the roles listed.")
    @click.option("--password", help="Without one, prints an invitation link to pass on.")
    @click.option("--name", help="Display name (default: the part of the email before @).")
    def create(email: str, role: str, password: str | None, name: str | None) -> None:
        """Create an account with a role."""
        user = _refusing(lambda: accounts.create_user(email, role.lower(), password, name))
        db.session.commit()
        click.echo(_("%(role)s %(email)s created.", role=ROLE_LABELS[user.role], email=user.email))
        if password is None:
            with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
                link = url_for("auth.accept_invite", token=invites.token_for(user), _external=True)
            days = current_app.config["INVITE_EXPIRY_DAYS"]
            shown = f"{days:g}"
            click.echo(ngettext("They set a password at this link (works once, for %(days)s day):",
                                "They set a password at this link (works once, for %(days)s days):",
                                math.ceil(days), days=shown))
            click.echo(link)

    @users.command("list")
    @click.option("--role", type=role_choice, help="Only accounts with this role.")
    def list_users(role: str | None) -> None:
        """Print one line per account: email, role, display name (tab-separated)."""
        for user in db.session.scalars(accounts.users_with_role(role.lower() if role else None)):
            click.echo(f"{user.email or '-'}\t{user.role}\t{user.display_name}")

    @users.command("set-role")
    @click.argument("email")
    @click.argument("role", type=role_choice)
    def set_role(email: str, role: str) -> None:
        """Give the account with this email a role."""
        user = _refusing(lambda: accounts.user_by_email(email))
        _refusing(lambda: accounts.set_role(user, role.lower()))
        click.echo(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[user.role]))

    @users.command("remove")
    @click.argument("email")
    @click.option("--reassign-to", "heir_email", help="Email of the account that gets their posts "
                                                      "(required when they have any).")
    def remove(email: str, heir_email: str | None) -> None:
        """Remove an account; its posts go to --reassign-to, its comments stay without the link."""
        user = _refusing(lambda: accounts.user_by_email(email))
        heir = _refusing(lambda: accounts.user_by_email(heir_email)) if heir_email else None
        _refusing(lambda: accounts.remove_user(user, heir))
        if heir:
            click.echo(_("%(email)s removed. Their posts now belong to %(heir)s.", email=email, heir=heir.email))
        else:
            click.echo(_("%(email)s removed.", email=email))


def _refusing(action):
    """Run an account action; its refusal becomes the command's error (exit status 1)."""
    try:
        return action()
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
