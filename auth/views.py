"""Log-in and log-out: social log-in through any registered provider, owner log-in by password."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from auth import bp, profile_services, providers, services, throttle, two_factor
from auth.forms import ChooseNameForm, LoginForm, LogoutForm
from auth.models import User
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db, limiter, login_manager

login_manager.login_view = "auth.login"
# Flask-Login flashes the message through localize_callback: the session gets the translated str.
login_manager.login_message = N_("Please log in to see that page.")
login_manager.localize_callback = _

LOGIN_FAILED = _l("The email address or password is incorrect.")
WRONG_CODE = _l("That code is not right, or it was already used. Please try again.")
SECOND_STEP_EXPIRED = _l("Please log in again: the code is asked for within five minutes of logging in.")


def too_many_attempts() -> str:
    """The log-in limits' message (Flask-Limiter calls it when a limit is hit)."""
    return _("Too many log-in attempts. Please wait a few minutes and try again.")


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The user whose current session token this session or remember cookie holds (see User.get_id)."""
    return db.session.scalar(sa.select(User).filter_by(session_token=session_token))


def limited_as_a_password(client_key, account_key, known_device):
    """The log-in limits on a form that checks a secret: POSTs per address; failures per (account,
    address or known browser); failures per account, browsers that logged in before exempt."""
    limits = (
        limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
                      error_message=too_many_attempts),
        limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT"], methods=["POST"],
                      key_func=client_key, deduct_when=throttle.failed, error_message=too_many_attempts),
        limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
                      key_func=account_key, deduct_when=throttle.failed, exempt_when=known_device,
                      error_message=too_many_attempts),
    )

    def apply(view):
        for limit in reversed(limits):  # the per-address limit outermost, as written first
            view = limit(view)
        return view

    return apply


@bp.route("/login", methods=["GET", "POST"])
@limited_as_a_password(throttle.account_client_key, throttle.account_key, throttle.known_device)
def login():
    """Owner log-in by email and password; anyone may try, within the rate limits."""
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        form.form_errors.append(str(LOGIN_FAILED))
        return render_template("auth/login.html", form=form), 401
    if two_factor.is_on(user):
        two_factor.await_second_step(user, remember=form.remember.data)
        return redirect(url_for("auth.two_factor", next=form.next.data or None))
    services.log_in_with_password(user, form.remember.data)
    response = redirect(services.safe_next(form.next.data, services.landing_for(user)))
    throttle.remember_device(response, user)
    return response


@bp.route("/login/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@limited_as_a_password(throttle.second_step_client_key, throttle.second_step_account_key,
                       throttle.second_step_known_device)
def two_factor_step():
    """The second log-in step of an account with two-factor on: a code from its app or a recovery
    code; whoever passed the first step in this browser, within the rate limits."""
    pending = two_factor.pending_login()
    if pending is None:
        flash(str(SECOND_STEP_EXPIRED), "error")
        return redirect(url_for("auth.login", next=request.args.get("next") or None))
    form = two_factor.CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/two_factor.html", form=form), 400 if form.is_submitted() else 200
    if not two_factor.accept(pending.user, form.code.data):
        form.form_errors.append(str(WRONG_CODE))
        return render_template("auth/two_factor.html", form=form), 401
    asks_name = session.get(profile_services.NAME_PROMPT_KEY, False)  # a new session starts below
    two_factor.complete_second_step(pending)
    db.session.commit()  # a recovery code is used up with the log-in
    landing = services.safe_next(request.args.get("next"), services.landing_for(pending.user))
    response = redirect(url_for("auth.choose_name", next=landing) if asks_name else landing)
    throttle.remember_device(response, pending.user)
    return response


@bp.get("/auth/login/<name>")
def oauth_login(name: str):
    """Send the reader to provider `name` to log in; anyone may call it."""
    provider = providers.get_provider(name) or abort(404)
    next_url = services.safe_next(request.args.get("next"), url_for("blog.index"))
    callback = url_for("auth.callback", name=name, _external=True)
    from auth import social  # here: Authlib and requests are heavy and load at the first social log-in only

    try:
        return social.begin_login(provider, next_url, callback)
    except social.LoginFailed as failure:
        flash(str(failure), "error")
        return redirect(next_url)


@bp.get("/auth/continue/<name>")
def continue_to_provider(name: str):
    """The page that moves on to provider `name`'s log-in page, once (services.via_continue_page);
    coming back to it (Back from the provider) returns to where the log-in started. Anyone may call."""
    provider = providers.get_provider(name) or abort(404)
    provider_page = session.pop(services.PROVIDER_PAGE_KEY, None)
    if not provider_page:
        return redirect(services.safe_next(session.get(services.NEXT_KEY), url_for("blog.index")))
    page = render_template("auth/login_continue.html", provider=provider, provider_url=provider_page)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/auth/callback/<name>")
def callback(name: str):
    """Where provider `name` returns the reader; logs them in or says why not."""
    provider = providers.get_provider(name) or abort(404)
    next_url = services.pop_next()
    from auth import social  # as in oauth_login: loaded on first use

    try:
        social.complete_login(provider)
    except social.LoginFailed as failure:
        flash(str(failure), "error")
    if two_factor.pending_user_id() is not None:
        return redirect(url_for("auth.two_factor", next=next_url))
    if session.pop(profile_services.NAME_PROMPT_KEY, False):
        return redirect(url_for("auth.choose_name", next=next_url))
    return redirect(next_url)


@bp.post("/auth/logout")
def logout():
    """Log the current reader out (POST with CSRF only); returns to `next` on this site."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    services.log_out()
    flash(_("You are now logged out."), "success")
    return redirect(services.safe_next(form.next.data, url_for("blog.index")))


@bp.route("/auth/name", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@login_required
def choose_name():
    """Ask a reader whose provider gave no name what to call them; any logged-in reader may answer."""
    form = ChooseNameForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/choose_name.html", form=form), status
    profile_services.set_display_name(current_user._get_current_object(), form.display_name.data)
    flash(_("Thank you, %(name)s: your comments will carry this name.", name=form.display_name.data), "success")
    return redirect(services.safe_next(form.next.data, url_for("blog.index")))
