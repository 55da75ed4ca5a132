"""Everyone's own profile (any logged-in account, Subscribers included): name, author slug, bio,
email, password, linked log-in providers and sessions, as WordPress's profile.php."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import refresh
from flask_login import current_user

from admin import ANY_USER, bp, requires
from admin.profile_forms import AboutForm, ButtonForm, EmailForm, PasswordForm
from auth import profile_services, providers, services
from auth.forms import LogOutEverywhereForm
from auth.profile_services import ProfileError
from core.i18n import gettext as _
from core.i18n import in_language
from extensions import db, limiter
from notify.mailer import enqueue, site_links
from notify.tokens import BadLink, make_token, read_token, spend_token

EMAIL_LINK_PURPOSE = "email-change"
EMAIL_LINK_MAX_AGE = 2 * 24 * 3600


def too_many_changes() -> str:
    """The per-account limit's message (Flask-Limiter calls it when the limit is hit)."""
    return _("Too many changes in a short time. Please wait a while and try again.")


def _account_key() -> str:
    return f"profile:{current_user.get_id()}"


# A hijacked session must not guess the current password, nor send mail to any address, at will.
limit_per_account = limiter.shared_limit("10 per hour", scope="profile-changes", key_func=_account_key,
                                         error_message=too_many_changes)


def _user():
    return current_user._get_current_object()


def _page(status: int = 200, **forms):
    """The profile page; a section's form with errors replaces its empty one."""
    user = _user()
    linked = {identity.provider for identity in user.identities}
    return render_template(
        "admin/profile.html", user=user,
        about=forms.get("about") or AboutForm(obj=user, formdata=None),
        email_form=forms.get("email_form") or EmailForm(formdata=None),
        password_form=forms.get("password_form") or PasswordForm(formdata=None),
        button=ButtonForm(), sessions_form=LogOutEverywhereForm(),
        unlinked=[p for p in providers.enabled_providers() if p.name not in linked],
        only_way_in=len(user.identities) < 2 and not profile_services.has_password_log_in(user),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@requires(ANY_USER)
def profile():
    """The profile; its POST saves the display name, author slug and bio."""
    if request.method == "GET":
        return _page()
    form = AboutForm()
    if not form.validate_on_submit():
        return _page(400, about=form)
    try:
        profile_services.update_about(_user(), form.display_name.data, form.nicename.data, form.bio.data,
                                      form.language.data)
    except ProfileError as refused:
        form.nicename.errors = [str(refused)]
        return _page(400, about=form)
    refresh()  # the message below, and the next screens, in the language just chosen
    flash(_("Profile updated."), "success")
    return redirect(url_for("admin.profile"), 303)


@bp.post("/profile/email")
@requires(ANY_USER)
@limit_per_account
def profile_email():
    """Mail a confirmation link to the new address (and a word to the old one); nothing changes
    until that link is opened."""
    form = EmailForm()
    if not form.validate_on_submit():
        return _page(400, email_form=form)
    user, new_email = _user(), form.email.data
    try:
        profile_services.check_new_email(user, new_email)
    except ProfileError as refused:
        form.email.errors = [str(refused)]
        return _page(400, email_form=form)
    _mail_email_change(user, new_email)
    db.session.commit()
    flash(_("Check your inbox at %(email)s: your address changes when you open the link we sent there.",
            email=new_email), "success")
    return redirect(url_for("admin.profile"), 303)


def _mail_email_change(user, new_email: str) -> None:
    data = {"user": user.id, "email": new_email, "from": user.email or ""}
    with site_links():
        confirm_url = url_for("admin.profile_email_confirm", _external=True,
                              token=make_token(EMAIL_LINK_PURPOSE, data, single_use=True))
    blog = current_app.config["BLOG_TITLE"]
    with in_language(user.language):
        enqueue(new_email, _("[%(blog)s] Confirm your new email address", blog=blog),
                "email_change", confirm_url=confirm_url, user=user)
        if user.email:
            enqueue(user.email, _("[%(blog)s] Your email address is being changed", blog=blog),
                    "email_change_notice", new_email=new_email, user=user)


@bp.route("/profile/email/<token>", methods=["GET", "POST"])
@requires(ANY_USER)
def profile_email_confirm(token: str):
    """The mailed link: shows the new address with a button; the POST makes it the account's."""
    try:
        data = _email_link(token)
    except BadLink as bad:
        return render_template("admin/profile_email.html", error=str(bad), form=None), bad.status
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template("admin/profile_email.html", email=data["email"], form=form), (
            400 if form.is_submitted() else 200)
    try:
        spend_token(data)
        profile_services.change_email(_user(), data["email"])
    except (BadLink, ProfileError) as refused:
        db.session.rollback()
        return render_template("admin/profile_email.html", error=str(refused), form=None), 409
    flash(_("Your email address is now %(email)s.", email=data["email"]), "success")
    return redirect(url_for("admin.profile"), 303)


def _email_link(token: str) -> dict:
    """The signed data of an email-change link, checked against the logged-in account."""
    data = read_token(EMAIL_LINK_PURPOSE, token, max_age=EMAIL_LINK_MAX_AGE)
    if not isinstance(data.get("email"), str) or data.get("user") != current_user.id:
        raise BadLink(_("This link was sent for another account: log in as that account to use it."), 403)
    if data.get("from") != (current_user.email or ""):
        raise BadLink(_("Your email address has changed since this link was sent, so it no longer works."), 410)
    return data


@bp.post("/profile/password")
@requires(ANY_USER)
@limit_per_account
def profile_password():
    """Set a new password (the current one first, when there is one); ends every other session."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    user = _user()
    try:
        profile_services.change_password(user, form.current_password.data, form.new_password.data)
    except ProfileError as refused:
        form.current_password.errors = [str(refused)]
        return _page(400, password_form=form)
    services.start_session(user, remember=_remembered())
    flash(_("Password changed. Every other session of your account has ended."), "success")
    return redirect(url_for("admin.profile"), 303)


def _remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.post("/profile/link/<name>")
@requires(ANY_USER)
def profile_link(name: str):
    """Go through provider `name`'s log-in; its account then attaches to this one."""
    provider = providers.get_provider(name) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return services.start_link(provider, _user(), url_for("admin.profile"))


@bp.post("/profile/unlink/<int:identity_id>")
@requires(ANY_USER)
def profile_unlink(identity_id: int):
    """Remove a linked provider, as long as the account keeps another way in."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        identity = profile_services.unlink_identity(_user(), identity_id)
    except ProfileError as refused:
        flash(str(refused), "error")
        return _page(400)
    flash(_("Your %(provider)s account is no longer linked.", provider=providers.provider_label(identity.provider)),
          "success")
    return redirect(url_for("admin.profile"), 303)


@bp.post("/profile/log-out-everywhere")
@requires(ANY_USER)
def log_out_everywhere():
    """End every session and remember cookie of this account; this browser gets a new session."""
    if not LogOutEverywhereForm().validate_on_submit():
        abort(400)
    services.log_out_everywhere(_user())
    flash(_("Every other session has ended; this browser stays logged in."), "success")
    return redirect(url_for("admin.profile"), 303)
