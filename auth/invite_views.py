"""The invitation link's page: the invitee sets a password, or logs in with a provider to link it."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from auth import accounts, bp, invites, providers, services
from auth.roles import ROLE_LABELS
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_ngettext
from extensions import limiter


class AcceptInviteForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(min=accounts.MIN_PASSWORD_LENGTH, max=accounts.MAX_PASSWORD_LENGTH,
               message=lazy_ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                                     accounts.MIN_PASSWORD_LENGTH))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm new password"), validators=[
        DataRequired(_l("Type the password again.")), EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set password and log in"))


class LinkProviderForm(FlaskForm):
    provider = HiddenField(validators=[DataRequired()])


def _refused(error: invites.InviteError):
    response = render_template("auth/invite_invalid.html", message=str(error)), error.status
    return _private(response)


def _private(response):
    """The page's address carries the invitation: no cache along the way keeps it."""
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def accept_invite(token: str):
    """The invitation's page (anyone holding the link): set a password, or pick a provider."""
    try:
        user = invites.invitee(token)
    except invites.InviteError as error:
        return _refused(error)
    form = AcceptInviteForm()
    if form.validate_on_submit():
        invites.accept_with_password(user, form.password.data)
        flash(_("Welcome, %(name)s: your password is set and you are logged in.", name=user.display_name), "success")
        return redirect(services.landing_for(user), 303)
    page = render_template("auth/invite.html", form=form, user=user, token=token, link_form=LinkProviderForm(),
                           role=str(ROLE_LABELS.get(user.role, user.role)), providers=providers.enabled_providers())
    return _private((page, 400 if form.errors else 200))


@bp.post("/invite/<token>/provider")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"])
def invite_provider(token: str):
    """Start a provider log-in that joins the invitee's account (same verified email)."""
    try:
        user = invites.invitee(token)
    except invites.InviteError as error:
        return _refused(error)
    form = LinkProviderForm()
    if not form.validate_on_submit() or providers.get_provider(form.provider.data) is None:
        abort(400)
    invites.verify_before_provider(user)
    back = url_for("auth.invite_linked", token=token)
    return services.via_continue_page(url_for("auth.oauth_login", name=form.provider.data, next=back),
                                      form.provider.data)


@bp.get("/invite/<token>/linked")
def invite_linked(token: str):
    """Where the provider log-in returns: spends the invitation when it joined the invitee's account."""
    try:
        user = invites.invitee(token)
    except invites.InviteError as error:
        return _refused(error)
    if not current_user.is_authenticated or current_user.id != user.id:
        return _refused(invites.InviteError(
            _("That log-in is not linked to %(email)s: the provider gave another, or no verified, email address. "
              "Set a password below the invitation link instead, or use a provider account with %(email)s.",
              email=user.email)))
    invites.accept_linked(user)
    flash(_("Welcome, %(name)s: your log-in is linked and you are logged in.", name=user.display_name), "success")
    return redirect(services.landing_for(user), 303)
