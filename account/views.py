"""/account: the logged-in reader's own page. Every view is for that reader alone (login_required),
and every answer is marked private: nothing here may be stored by a cache."""

from flask import abort, current_app, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_login import current_user, login_required, logout_user

from account import bp, services
from account.forms import ButtonForm, DeleteAccountForm, DisplayNameForm
from auth import profile_services, providers
from auth.services import start_link
from core.i18n import gettext as _
from extensions import db, limiter
from notify.links import manage_url
from privacy import personal_data

DOWNLOAD_TYPES = {"json": "application/json", "html": "text/html"}


def _account_key() -> str:
    return f"account:{current_user.get_id()}"


def too_many_changes() -> str:
    """The per-account limit's message (Flask-Limiter calls it when the limit is hit)."""
    return _("Too many changes in a short time. Please wait a while and try again.")


# Per account: a stolen session cannot rename, relink or unsubscribe at will either. (Downloads are page
# views, which the limiter lets through: extensions.py.)
limit_writes = limiter.shared_limit(
    "20 per hour", scope="account-changes", key_func=_account_key, methods=["POST"], error_message=too_many_changes
)


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _user():
    return current_user._get_current_object()


def _page(status: int = 200, name_form: DisplayNameForm | None = None):
    """The account page; a name form with errors replaces the filled-in one."""
    user = _user()
    comments = db.paginate(
        services.comments_query(user),
        page=request.args.get("page", 1, type=int),
        per_page=services.COMMENTS_PER_PAGE,
        error_out=False,
    )
    subscriptions = services.subscriptions_of(user)
    linked = {identity.provider for identity in user.identities}
    email = services.proven_email(user)
    return render_template(
        "account/index.html",
        user=user,
        comments=comments,
        status_labels=services.STATUS_LABELS,
        subscriptions=subscriptions,
        posts=services.posts_by_id(subscriptions),
        manage_link=manage_url(email) if email and subscriptions else None,
        identities=user.identities,
        unlinked=[p for p in providers.enabled_providers() if p.name not in linked],
        name_form=name_form or DisplayNameForm(obj=user, formdata=None),
        button=ButtonForm(),
        may_delete=services.may_delete_itself(user),
    ), status


@bp.get("/account")
@login_required
def index():
    """The reader's name, comments (paged), subscriptions and linked log-ins."""
    return _page()


@bp.post("/account/name")
@login_required
@limit_writes
def rename():
    """Change the name the reader's comments carry."""
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return _page(400, name_form=form)
    profile_services.set_display_name(_user(), form.display_name.data)
    flash(_("Your name is saved."), "success")
    return redirect(url_for("account.index"), 303)


@bp.post("/account/subscriptions/<int:subscription_id>/cancel")
@login_required
@limit_writes
def cancel_subscription(subscription_id: int):
    """Cancel one of the reader's own subscriptions."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if services.cancel_subscription(_user(), subscription_id):
        flash(_("Subscription cancelled."), "success")
    else:
        flash(_("That subscription was already cancelled."), "info")
    return redirect(url_for("account.index"), 303)


@bp.post("/account/link/<name>")
@login_required
@limit_writes
def link(name: str):
    """Log in with another provider; its account then attaches to this one (auth.social.begin_link)."""
    provider = providers.get_provider(name) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return start_link(provider, _user(), url_for("account.index"))


@bp.get("/account/data.<any(json, html):fmt>")
@login_required
def download(fmt: str):
    """Everything the blog keeps about the reader, streamed as a file to save."""
    user = _user()
    export = personal_data.export_json if fmt == "json" else personal_data.export_html
    chunks = export(services.proven_email(user), [user.id])
    response = current_app.response_class(stream_with_context(chunks), mimetype=DOWNLOAD_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="my-data.{fmt}"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limit_writes
def delete():
    """Ask to confirm, then erase the reader's data and remove their account; staff are refused."""
    user = _user()
    if not services.may_delete_itself(user):
        return render_template("account/delete.html", form=None), 403 if request.method == "POST" else 200
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return render_template("account/delete.html", form=form), 400 if form.is_submitted() else 200
    services.delete_account(user, form.erase_text.data)
    session.clear()  # the account's row, and with it every session's token, is gone: only this cookie is left
    logout_user()
    flash(_("Your account is deleted and your comments are anonymous."), "success")
    return redirect(url_for("blog.index"), 303)
